"""PostgreSQL operational live probes (technology, architecture, performance, maintenance, backup,
replication, monitoring, capacity) against the real local server.

A known-bad database carries planted defects, a known-good twin does not; each planted defect must be
found in the bad one and absent from the good one. Server-wide settings the shared server fixes
(archive_mode, data_checksums, autovacuum ...) are checked against the server's real value. A role
with only CONNECT must get unknown with a GRANT line, never a pass.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from types import SimpleNamespace

import pytest

import pytest_dbaudit.live.probes  # noqa: F401  (registers the probes)
from pytest_dbaudit.live import connect
from pytest_dbaudit.live.preflight import capabilities
from pytest_dbaudit.live.probe import all_probes, run_probe
from pytest_dbaudit.targets import live_target

SETTINGS = {"statement_timeout_ms": 5000, "lock_timeout_ms": 1000, "connect_timeout_s": 5}
ITEMS = ["TV-01", "TV-04", "TV-08", "TV-09", "AT-01", "AT-02", "AT-06", "AT-07", "PF-01", "PF-02", "PF-03",
         "PF-04", "PF-05", "PF-13", "PF-14", "PF-15", "PF-07", "PF-12", "PF-16", "PF-17", "PF-18", "SD-04", "SD-06", "BR-02", "BR-05", "BR-07", "BR-12",
         "HA-04", "HA-05", "MO-02", "MO-03", "MO-07", "MO-08", "CA-01", "CA-09", "CF-04", "CF-07"]


def _engine(url, **kw):
    import sqlalchemy as sa

    return sa.create_engine(url, **kw)


def _run(engine, statements):
    with engine.connect() as conn:
        for sql in statements:
            conn.exec_driver_sql(sql)


def _parts(item: dict) -> dict[str, dict]:
    return {p["probe"]: p for p in item.get("parts", [])}


def _messages(item: dict) -> str:
    return "\n".join(f["message"] for f in item.get("findings", []))


def _show(admin, name: str) -> str:
    with admin.connect() as conn:
        return conn.exec_driver_sql(f"SHOW {name}").scalar()


def _write_config(path, thresholds: dict) -> None:
    """dbaudit.yaml with per-item threshold overrides (JSON flow mappings are valid YAML)."""
    path.write_text("thresholds:\n" + "".join(f"  {item}: {json.dumps(values)}\n"
                                                for item, values in thresholds.items()))


def _bad_setup(name: str) -> list[str]:
    return [
        "CREATE EXTENSION citext",
        "CREATE TABLE customers (id int PRIMARY KEY, name text)",
        "INSERT INTO customers VALUES (1, 'a'), (2, 'b')",
        "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id), qty int)",
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
        "CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch()",
        "ALTER TABLE orders DISABLE TRIGGER orders_touch",  # a disabled user trigger
        "CREATE TABLE lines (id int PRIMARY KEY, order_id int REFERENCES orders (id))",
        "ALTER TABLE lines DISABLE TRIGGER ALL",  # the foreign key's internal triggers too
        "ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID",
        "CREATE TABLE dupes (code int)",
        "INSERT INTO dupes VALUES (1), (1)",
        "CREATE TABLE tickets (id serial PRIMARY KEY)",
        "SELECT setval('tickets_id_seq', 2100000000)",  # 97.8 % of int4
        "CREATE TABLE narrow (id integer)",
        "CREATE SEQUENCE narrow_seq AS bigint OWNED BY narrow.id",
        "SELECT setval('narrow_seq', 2000000000)",  # bigint sequence, int column: 93 % of the column
        "CREATE TABLE churn (id int, pad text) WITH (autovacuum_enabled = false)",
        "INSERT INTO churn SELECT g, 'x' FROM generate_series(1, 400) g",
        "DELETE FROM churn WHERE id <= 300",  # 300 dead rows, never vacuumed nor analyzed
        "CREATE TABLE big (id int, pad text)",
        "INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 3000) g",
        "CREATE INDEX big_pad ON big (pad)",  # never scanned
        "CREATE TABLE events (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at)",
        "CREATE TABLE events_2020 PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2020-02-01')",
        "CREATE TABLE events_default PARTITION OF events DEFAULT",
        "INSERT INTO events SELECT now(), g FROM generate_series(1, 20) g",  # lands in the default partition
        "CREATE TABLE regs (p regproc)",  # pg_upgrade refuses regproc columns
        f'ALTER DATABASE "{name}" SET idle_in_transaction_session_timeout = 0',
        f'ALTER DATABASE "{name}" SET statement_timeout = 0',
        f'ALTER DATABASE "{name}" SET log_min_duration_statement = -1',
        f'ALTER DATABASE "{name}" SET synchronous_commit = off',
    ] + ["SELECT count(*) FROM big WHERE id = 5"] * 20  # sequential scans of a large table


def _good_setup(name: str) -> list[str]:
    today = dt.date.today()
    start, end = today - dt.timedelta(days=30), today + dt.timedelta(days=60)
    return [
        "CREATE TABLE customers (id int PRIMARY KEY, name text)",
        "INSERT INTO customers VALUES (1, 'a'), (2, 'b')",
        "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id), qty int, "
        "CONSTRAINT qty_positive CHECK (qty > 0))",
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
        "CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch()",
        "CREATE TABLE lines (id int PRIMARY KEY, order_id int REFERENCES orders (id))",
        "CREATE TABLE dupes (code int)",
        "INSERT INTO dupes VALUES (1), (2)",
        "CREATE UNIQUE INDEX CONCURRENTLY dupes_code ON dupes (code)",
        "CREATE TABLE tickets (id serial PRIMARY KEY)",
        "SELECT setval('tickets_id_seq', 10)",
        "CREATE TABLE churn (id int, pad text)",
        "INSERT INTO churn SELECT g, 'x' FROM generate_series(1, 400) g",
        "DELETE FROM churn WHERE id <= 300",
        "CREATE TABLE big (id int, pad text) PARTITION BY RANGE (id)",  # the large table, partitioned
        "CREATE TABLE big_1 PARTITION OF big FOR VALUES FROM (0) TO (1500)",
        "CREATE TABLE big_2 PARTITION OF big FOR VALUES FROM (1500) TO (100000)",
        "INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 3000) g",
        "CREATE TABLE lookups (id int PRIMARY KEY, v int)",
        "INSERT INTO lookups SELECT g, g FROM generate_series(1, 3000) g",
        "CREATE TABLE events (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at)",
        f"CREATE TABLE events_now PARTITION OF events FOR VALUES FROM ('{start}') TO ('{end}')",
        "CREATE TABLE events_default PARTITION OF events DEFAULT",
        "INSERT INTO events SELECT now(), g FROM generate_series(1, 20) g",
        "CREATE TABLE regs (c regclass)",
        f"ALTER DATABASE \"{name}\" SET idle_in_transaction_session_timeout = '5min'",
        f"ALTER DATABASE \"{name}\" SET statement_timeout = '30s'",
        f"ALTER DATABASE \"{name}\" SET log_min_duration_statement = '250ms'",
        "VACUUM ANALYZE",
    ] + [f"SELECT v FROM lookups WHERE id = {i}" for i in range(1, 31)]  # index scans


@pytest.fixture
def pg_twins(postgres_admin_url):
    """Two fresh databases, ``bad`` and ``good``, dropped afterwards."""
    admin = _engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    names = {k: f"dbaudit_ops_{k}_{uuid.uuid4().hex[:8]}" for k in ("bad", "good")}
    base = postgres_admin_url.rsplit("/", 1)[0]
    with admin.connect() as conn:
        for n in names.values():
            conn.exec_driver_sql(f'CREATE DATABASE "{n}"')
    try:
        yield admin, {k: f"{base}/{n}" for k, n in names.items()}, names
    finally:
        with admin.connect() as conn:
            for n in names.values():
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)')
        admin.dispose()


def _largest_plain_table(url) -> int:
    eng = _engine(url)
    try:
        with eng.connect() as conn:
            return int(conn.exec_driver_sql(
                "SELECT coalesce(max(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND NOT c.relispartition "
                "AND n.nspname = 'public' AND c.relname <> 'big'").scalar())
    finally:
        eng.dispose()


def _table_size(url, table) -> int:
    eng = _engine(url)
    try:
        with eng.connect() as conn:
            return int(conn.exec_driver_sql(f"SELECT pg_total_relation_size('{table}')").scalar())
    finally:
        eng.dispose()


def test_planted_defects_are_found_and_the_good_twin_passes(pytester, audit, pg_twins):
    admin, urls, names = pg_twins
    for kind, setup in (("bad", _bad_setup), ("good", _good_setup)):
        statements = setup(names[kind])
        # VACUUM in a fresh session: a session's own pending counters are flushed when it exits, and would
        # otherwise land after the vacuum's report and bring the dead rows back
        cut = statements.index("VACUUM ANALYZE") if "VACUUM ANALYZE" in statements else len(statements)
        for batch in (statements[:cut], statements[cut:]):
            eng = _engine(urls[kind], isolation_level="AUTOCOMMIT")
            _run(eng, batch)
            eng.dispose()  # the backend exits and flushes its statistics
    bad_eng = _engine(urls["bad"], isolation_level="AUTOCOMMIT")
    with bad_eng.connect() as conn:  # a concurrent build that fails on duplicates leaves an invalid index
        with pytest.raises(Exception, match="could not create unique index"):
            conn.exec_driver_sql("CREATE UNIQUE INDEX CONCURRENTLY dupes_code ON dupes (code)")
    bad_eng.dispose()
    # AT-06 threshold between the good twin's largest plain table and the bad one's big table
    good_max, bad_big = _largest_plain_table(urls["good"]), _table_size(urls["bad"], "big")
    assert good_max < bad_big
    limit_gb = (good_max + bad_big) / 2 / 1024 ** 3
    config = pytester.path / "dbaudit.yaml"
    _write_config(config, {
        "PF-12": {"idle_in_transaction_max_s": 1, "long_transaction_max_s": 1, "lock_wait_max_s": 1,
                  "long_statement_max_s": 1, "deadlock_min_stats_h": 0},
        "MO-08": {"dead_tuples_min": 100},
        "PF-18": {"seq_scan_min_live_rows": 1000, "seq_scan_min_stats_h": 0},
        "PF-05": {"unused_index_min_mb": 0, "unused_index_min_stats_days": 0},
        "AT-06": {"partition_min_table_gb": limit_gb},
        "TV-09": {"allowed_extensions": "plpgsql"},
    })

    # a session idle in a transaction holding a row lock, and a second session waiting for it
    import sqlalchemy as sa

    holder_eng, waiter_eng = _engine(urls["bad"]), _engine(urls["bad"])
    holder = holder_eng.connect()
    holder.exec_driver_sql("UPDATE customers SET name = 'held' WHERE id = 1")
    waiting = threading.Event()

    def wait_for_lock():
        with waiter_eng.connect() as conn:
            waiting.set()
            try:
                conn.execute(sa.text("UPDATE customers SET name = 'waiter' WHERE id = 1"))
                conn.rollback()
            except Exception:
                pass

    waiter = threading.Thread(target=wait_for_lock, daemon=True)
    waiter.start()
    waiting.wait(5)
    time.sleep(1.6)
    prepared = None
    if int(_show(admin, "max_prepared_transactions")) > 0:  # an orphaned two-phase transaction
        prepared = f"dbaudit_{uuid.uuid4().hex[:8]}"
        eng = _engine(urls["bad"], isolation_level="AUTOCOMMIT")
        _run(eng, ["BEGIN", "INSERT INTO dupes VALUES (7)", f"PREPARE TRANSACTION '{prepared}'"])
        eng.dispose()
        time.sleep(1.1)
    try:
        run = audit("--dbaudit-db", urls["bad"], "--dbaudit-db", urls["good"], "--dbaudit-config", str(config),
                    "-m", "dbaudit_live", "-k", " or ".join(ITEMS))
    finally:
        holder.rollback()
        holder.close()
        waiter.join(10)
        holder_eng.dispose()
        waiter_eng.dispose()
        if prepared:
            eng = _engine(urls["bad"], isolation_level="AUTOCOMMIT")
            _run(eng, [f"ROLLBACK PREPARED '{prepared}'"])
            eng.dispose()
    bad_label, good_label = live_target(urls["bad"]).label, live_target(urls["good"]).label

    def both(item_id):
        return run.item(f"{item_id}[{bad_label}]"), run.item(f"{item_id}[{good_label}]")

    def planted(item_id, probe_id, *needles):
        bad, good = both(item_id)
        assert _parts(bad)[probe_id]["outcome"] == "fail", (probe_id, bad)
        for needle in needles:
            assert needle in _messages(bad), (needle, _messages(bad))
        assert _parts(good)[probe_id]["outcome"] == "pass", (probe_id, _parts(good)[probe_id], _messages(good))
        return bad, good

    bad_name, good_name = names["bad"], names["good"]
    planted("PF-12", "pg.session-timeouts", f"idle_in_transaction_session_timeout is 0 (no limit) in database {bad_name}",
            f"statement_timeout is 0 (no limit) in database {bad_name}")
    assert f"idle_in_transaction_session_timeout: default in {good_name} = 5min" in " ".join(both("PF-12")[1]["evidence"])
    planted("PF-12", "pg.idle-in-transaction", "idle in transaction for")
    planted("PF-12", "pg.long-transactions", "has kept a transaction open for")
    planted("PF-12", "pg.lock-waits", "for a ShareLock on transactionid")
    planted("PF-12", "pg.long-running-queries", "UPDATE customers SET name = 'waiter'")
    planted("PF-02", "pg.slow-query-log", f"slow statements are not logged in {bad_name}")
    planted("PF-04", "pg.invalid-indexes", "index public.dupes_code on dupes is invalid")
    planted("PF-05", "pg.unused-indexes", "index public.big_pad on big")
    planted("PF-07", "pg.stale-statistics", "table public.churn: 700 rows changed since it was created")
    planted("PF-18", "pg.seq-scan-heavy-tables", "table public.big (3000 rows):", "index scans only 0 %")
    planted("MO-08", "pg.dead-tuples", "table public.churn: 300 dead rows (75%)")
    planted("SD-04", "pg.disabled-triggers", "trigger orders_touch on public.orders is disabled",
            "constraint lines_order_id_fkey on public.lines is not enforced")
    planted("SD-04", "pg.unvalidated-constraints", "check constraint qty_positive on public.orders is NOT VALID")
    planted("SD-06", "pg.sequence-exhaustion", "sequence public.tickets_id_seq has used 97.8 %",
            "sequence public.narrow_seq has used 93.1 % of its range (2000000000 of 2147483647, column type integer)")
    planted("AT-06", "pg.large-unpartitioned-tables", "table public.big is")
    planted("CA-09", "pg.default-partition-rows", "default partition events_default of public.events holds ~20 rows")
    planted("CA-09", "pg.partitions-premade", "partitions of public.events reach only -")
    planted("TV-08", "pg.upgrade-blocking-columns", "column public.regs.p has type regproc")
    planted("TV-09", "pg.extension-allowlist", "extension citext")
    bad, good = both("CF-04")
    assert f"synchronous_commit is off for database {bad_name}" in _messages(bad)
    assert "synchronous_commit" not in _messages(good)
    # the per-table autovacuum switch is found; the server-wide one matches the server
    bad, good = both("PF-07")
    assert "autovacuum is disabled on the table public.churn" in _messages(bad)
    assert "public.churn" not in _messages(good)
    global_off = _show(admin, "autovacuum") == "off"
    for item in (bad, good):
        assert ("autovacuum is off" in _messages(item)) == global_off
    assert _parts(good)["pg.autovacuum-enabled"]["outcome"] == ("fail" if global_off else "pass")
    # prepared transactions: planted when the server allows them, else an honest pass
    bad, good = both("PF-12")
    if prepared:
        assert f"prepared transaction '{prepared}'" in _messages(bad)
    else:
        assert _parts(bad)["pg.orphaned-prepared-transactions"]["outcome"] == "pass"
        assert "max_prepared_transactions = 0" in " ".join(bad["evidence"])
    assert bad["outcome"] == "fail" and good["outcome"] == "pass", _messages(good)

    # server-wide settings the shared server fixes: the verdict agrees with the real value
    def verdict(item_id, probe_id):
        outcomes = {_parts(i)[probe_id]["outcome"] for i in both(item_id)}
        assert len(outcomes) == 1, (probe_id, outcomes)
        return outcomes.pop()

    assert verdict("BR-02", "pg.wal-archiving") == ("fail" if _show(admin, "archive_mode") == "off" else "pass")
    assert verdict("BR-07", "pg.wal-level") == ("fail" if _show(admin, "wal_level") == "minimal" else "pass")
    assert verdict("MO-07", "pg.log-lock-waits") == ("pass" if _show(admin, "log_lock_waits") == "on" else "fail")
    prefix = _show(admin, "log_line_prefix")
    complete = all(any(t in prefix for t in group) for group in
                   (("%m", "%t", "%n"), ("%p", "%c"), ("%u",), ("%d",), ("%a",), ("%h", "%r")))
    assert verdict("MO-03", "pg.log-line-prefix") == ("pass" if complete else "fail")
    checksums_on = _show(admin, "data_checksums") == "on"
    assert verdict("CF-04", "pg.data-checksums") == ("pass" if checksums_on else "fail")
    preloaded = "pg_stat_statements" in _show(admin, "shared_preload_libraries")
    assert verdict("MO-02", "pg.statement-statistics") == "fail"  # not installed in either database
    assert ("not in shared_preload_libraries" in _messages(both("MO-02")[1])) == (not preloaded)
    with admin.connect() as conn:
        standbys = conn.exec_driver_sql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").scalar()
        used = conn.exec_driver_sql("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'").scalar()
    assert verdict("AT-02", "pg.hot-standby") == ("pass" if standbys else "fail")
    if not standbys:
        assert verdict("HA-05", "pg.replication-lag-time") == "not-applicable"
    usable = int(_show(admin, "max_connections")) - int(_show(admin, "superuser_reserved_connections"))
    if abs(100 * used / usable - 80) > 5:  # far enough from the line that other tests' sessions cannot flip it
        assert verdict("PF-16", "pg.connection-headroom") == ("pass" if 100 * used / usable < 80 else "fail")
    # informational probes pass with what they saw
    bad, good = both("CA-01")
    assert _parts(bad)["pg.size-inventory"]["outcome"] == "pass"
    assert f"database {bad_name}:" in " ".join(bad["evidence"])
    assert "role: primary" in " ".join(both("AT-01")[0]["evidence"])
    assert _parts(both("TV-01")[0])["pg.server-identity"]["outcome"] == "pass"


def _item_ctx(db, item_id: str, thresholds: dict | None = None):
    """The little an item context needs for run_probe: thresholds and the target."""
    from pytest_dbaudit.catalog import load_catalog

    item = load_catalog().items[item_id]
    from pytest_dbaudit.audit import CheckContext

    cfg = SimpleNamespace(target_thresholds={}, thresholds={item_id: thresholds or {}}, live={})
    return CheckContext(item, db.target, SimpleNamespace(cfg=cfg))


def _probe(probe_id):
    return next(p for p in all_probes() if p.id == probe_id)


def test_unused_index_waits_for_old_enough_statistics(scratch_pg):
    """Freshly reset statistics make the unused-index probe unknown, never pass or fail (PgHero #140)."""
    admin, url, name = scratch_pg
    eng = _engine(url, isolation_level="AUTOCOMMIT")
    _run(eng, ["CREATE TABLE t (id int, v text)", "INSERT INTO t SELECT g, 'x' FROM generate_series(1, 100) g",
               "CREATE INDEX t_v ON t (v)", "SELECT pg_stat_reset()"])
    eng.dispose()
    db = connect(live_target(url), SETTINGS)
    try:
        caps = capabilities(db)
        # no index reaches the default 10 MB: nothing to judge, whatever the statistics' age
        assert run_probe(_probe("pg.unused-indexes"), db, caps, _item_ctx(db, "PF-05")).outcome.value == "pass"
        young = run_probe(_probe("pg.unused-indexes"), db, caps, _item_ctx(db, "PF-05", {"unused_index_min_mb": 0}))
        assert young.outcome.value == "unknown"
        assert "since the statistics reset" in young.reason and "judged after 336 h" in young.reason
        old = run_probe(_probe("pg.unused-indexes"), db, caps, _item_ctx(db, "PF-05", {
            "unused_index_min_stats_days": 0, "unused_index_min_mb": 0}))
        assert old.outcome.value == "fail"
        assert "index public.t_v on t" in old.findings[0].message
        for pid, item in (("pg.cache-hit-ratio", "PF-17"), ("pg.seq-scan-heavy-tables", "PF-18"),
                          ("pg.deadlocks-and-rollbacks", "PF-12"), ("pg.temp-spills", "PF-03")):
            assert run_probe(_probe(pid), db, caps, _item_ctx(db, item)).outcome.value == "unknown", pid
    finally:
        db.close()


def test_inactive_replication_slot_is_found(postgres_admin_url):
    """A physical slot nobody consumes pins WAL: found while it exists, gone once dropped."""
    admin = _engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    slot = f"dbaudit_ops_{uuid.uuid4().hex[:8]}"
    db = connect(live_target(postgres_admin_url), SETTINGS)
    try:
        caps = capabilities(db)
        _run(admin, [f"SELECT pg_create_physical_replication_slot('{slot}', true)"])
        try:
            found = run_probe(_probe("pg.replication-slots"), db, caps, _item_ctx(db, "HA-04"))
        finally:
            _run(admin, [f"SELECT pg_drop_replication_slot('{slot}')"])
        assert any(f"physical slot {slot} is inactive" in f.message and f.severity == "High" for f in found.findings)
        gone = run_probe(_probe("pg.replication-slots"), db, caps, _item_ctx(db, "HA-04"))
        assert not any(slot in f.message for f in gone.findings)
    finally:
        db.close()
        admin.dispose()


def test_connect_only_role_gets_unknown_with_grants_never_pass(pytester, audit, scratch_pg):
    admin, url, name = scratch_pg
    role = f"dbaudit_ops_ro_{uuid.uuid4().hex[:8]}"
    eng = _engine(url, isolation_level="AUTOCOMMIT")
    _run(eng, ["CREATE TABLE tickets (id serial PRIMARY KEY)", "SELECT setval('tickets_id_seq', 5)"])
    eng.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        conn.exec_driver_sql(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC')
        conn.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{name}" TO {role}')
    try:
        host = url.split("@", 1)[1]
        run = audit("--dbaudit-db", f"postgresql://{role}@{host}", "-m", "dbaudit_live", "-k", " or ".join(ITEMS))
        items = [i for i in run.json["items"] if any(p["probe"].startswith("pg.") for p in i.get("parts", []))]
        parts = {p["probe"]: p for i in items for p in i["parts"]}
        mine = {p.id: p for p in all_probes() if p.id.startswith("pg.") and p.id in parts and p.item in ITEMS}
        gated = [pid for pid, p in mine.items() if p.needs]
        assert len(gated) >= 15, gated
        for pid in gated:
            part = parts[pid]
            assert part["outcome"] == "unknown", (pid, part)
            assert part.get("grant"), (pid, part)
            if mine[pid].needs != ("pg_stat_statements",):
                assert "GRANT " in part["grant"] and role in part["grant"], (pid, part)
        # what a probe without declared needs cannot read is unknown too
        assert parts["pg.sequence-exhaustion"]["outcome"] == "unknown"
        assert "public.tickets_id_seq" in parts["pg.sequence-exhaustion"]["reason"]
        assert parts["pg.session-timeouts"]["outcome"] == "unknown"
        assert "GRANT SELECT ON pg_catalog.pg_file_settings" in parts["pg.session-timeouts"]["grant"]
        # an item whose every probe needs a privilege the role lacks is never a pass
        for item in items:
            pg_parts = [p["probe"] for p in item["parts"] if p["probe"].startswith("pg.")]
            if all(pid in mine and mine[pid].needs for pid in pg_parts):
                assert item["outcome"] == "unknown", item["nodeid"]
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
