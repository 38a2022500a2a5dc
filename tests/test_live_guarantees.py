"""What every live probe promises, whatever it checks: privilege-honest, read-only, fault-tolerant.

- A role with only CONNECT gets unknown, with the GRANT, from every probe that needed more: zero
  passes among them (the false "OK without privileges" of check_postgres #166, pgdsat).
- A full live audit changes nothing: row counts, write counters and the schema are identical.
- Faults end as one clear message each, and the run completes.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
import sqlalchemy as sa

from pytest_dbaudit.live.preflight import MY_NEEDS, PG_NEEDS

PASSWORD = "N0-Privs:S3cret@x"


def _parts(run, target_part: str):
    for item in run.json["items"]:
        if target_part in item["target"]:
            for part in item.get("parts", []):
                yield item, part


def _needs_of():
    from pytest_dbaudit.live.probe import all_probes
    from pytest_dbaudit.registry import load_builtin_rules

    load_builtin_rules()
    return {p.id: p.needs for p in all_probes()}


def _seed(url: str, statements: list[str]) -> None:
    eng = sa.create_engine(url)
    with eng.begin() as conn:
        for s in statements:
            conn.exec_driver_sql(s)
    eng.dispose()


@pytest.fixture
def pg_bare_role(scratch_pg):
    admin, url, name = scratch_pg
    role = f"dbaudit_bare_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'")
    _seed(url, ["CREATE TABLE t (id bigint PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')"])
    host = url.split("@", 1)[1]
    yield f"postgresql://{role}:{PASSWORD}@{host}", role
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")


@pytest.mark.needs_postgres
def test_connect_only_role_gets_unknown_with_grant_never_pass_postgres(pg_bare_role, audit):
    url, role = pg_bare_role
    run = audit(f"--dbaudit-db={url}", "-m", "dbaudit_live")
    needs = _needs_of()
    lacking = [(item, part) for item, part in _parts(run, role)
               if set(needs.get(part["probe"], ())) - {"select_all"} and part["outcome"] != "not-applicable"]
    assert lacking, "no probe declared a need the bare role lacks"
    passed = [(i["id"], p["probe"]) for i, p in lacking if p["outcome"] == "pass"]
    assert passed == []
    for item, part in lacking:
        if part["outcome"] == "unknown" and "cannot see" in part.get("reason", ""):
            assert part["grant"].startswith(("GRANT", "CREATE EXTENSION")), part
            assert role in part["grant"] or part["grant"].startswith("CREATE EXTENSION"), part
        # an item whose probe could not look is never a pass as a whole
        assert item["outcome"] != "pass", (item["id"], part)
    assert PASSWORD not in run.text and PASSWORD not in json.dumps(run.json)
    grants = {p["grant"] for _, p in lacking if p.get("grant")}
    assert any(g.startswith("GRANT pg_read_all_stats") or g.startswith("GRANT pg_monitor") for g in grants), grants
    assert set(PG_NEEDS)  # the table the grants come from


@pytest.fixture
def mariadb_bare_user(scratch_mariadb):
    admin, url, name = scratch_mariadb
    user = f"dbaudit_bare_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE TABLE `{name}`.t (id bigint PRIMARY KEY, v text)")
        for host in ("%%", "localhost"):  # one table only: enough to connect, nothing more
            conn.exec_driver_sql(f"CREATE USER '{user}'@'{host}' IDENTIFIED BY '{PASSWORD}'")
            conn.exec_driver_sql(f"GRANT SELECT ON `{name}`.t TO '{user}'@'{host}'")
    host = url.split("@", 1)[1]
    yield f"mysql+pymysql://{user}:{PASSWORD}@{host}", user
    with admin.connect() as conn:
        for host in ("%%", "localhost"):
            conn.exec_driver_sql(f"DROP USER IF EXISTS '{user}'@'{host}'")


@pytest.mark.needs_mariadb
def test_usage_only_account_gets_unknown_with_grant_never_pass_mariadb(mariadb_bare_user, audit):
    url, user = mariadb_bare_user
    run = audit(f"--dbaudit-db={url}", "-m", "dbaudit_live")
    needs = _needs_of()
    lacking = [(item, part) for item, part in _parts(run, user)
               if needs.get(part["probe"]) and part["outcome"] != "not-applicable"]
    assert lacking
    passed = [(i["id"], p["probe"]) for i, p in lacking if p["outcome"] == "pass"]
    assert passed == []
    schema_parts = [p for _, p in lacking if p["probe"] == "schema.no-primary-key"]
    assert schema_parts and schema_parts[0]["outcome"] == "unknown"
    assert schema_parts[0]["grant"].startswith("GRANT SELECT ON `"), schema_parts
    assert set(MY_NEEDS)
    assert PASSWORD not in run.text and PASSWORD not in json.dumps(run.json)


# -- read-only -----------------------------------------------------------------------------------
_PG_STATE = """
SELECT relname, n_live_tup, n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd
FROM pg_stat_user_tables ORDER BY relname
"""


def _pg_state(url: str) -> dict:
    from pytest_dbaudit.drills.schema_fingerprint import fingerprint

    eng = sa.create_engine(url)
    with eng.connect() as conn:
        conn.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
        counters = [tuple(r) for r in conn.exec_driver_sql(_PG_STATE)]
        rows = {t: conn.exec_driver_sql(f'SELECT count(*), md5(string_agg(x::text, \',\' ORDER BY x::text)) '
                                        f'FROM "{t}" x').one() for (t, *_rest) in counters}
        schema = fingerprint(conn)
    eng.dispose()
    return {"counters": counters, "rows": {k: tuple(v) for k, v in rows.items()}, "schema": json.dumps(schema, sort_keys=True)}


@pytest.mark.needs_postgres
def test_live_audit_changes_nothing_postgres(scratch_pg, audit):
    admin, url, name = scratch_pg
    _seed(url, ["CREATE TABLE a (id bigint PRIMARY KEY, v text)", "CREATE TABLE b (a_id bigint REFERENCES a, n int)",
                "INSERT INTO a SELECT g, md5(g::text) FROM generate_series(1, 500) g",
                "INSERT INTO b SELECT mod(g, 500) + 1, g FROM generate_series(1, 2000) g", "ANALYZE"])
    time.sleep(0.6)  # let the statistics collector flush the inserts before the first snapshot
    before = _pg_state(url)
    run = audit(f"--dbaudit-db={url}", "-m", "dbaudit_live")
    assert run.json["items"], run.text[-2000:]
    time.sleep(0.6)
    after = _pg_state(url)
    assert after == before


def _my_state(admin, name: str) -> dict:
    with admin.connect() as conn:
        tables = [r[0] for r in conn.exec_driver_sql(
            f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{name}' ORDER BY 1")]
        sums = {t: tuple(conn.exec_driver_sql(f"CHECKSUM TABLE `{name}`.`{t}` EXTENDED").one()) for t in tables}
        counts = {t: conn.exec_driver_sql(f"SELECT COUNT(*) FROM `{name}`.`{t}`").scalar() for t in tables}
        cols = [tuple(r) for r in conn.exec_driver_sql(
            "SELECT table_name, column_name, column_type, is_nullable, column_default FROM information_schema.columns "
            f"WHERE table_schema = '{name}' ORDER BY 1, 2")]
        idx = [tuple(r) for r in conn.exec_driver_sql(
            "SELECT table_name, index_name, seq_in_index, column_name FROM information_schema.statistics "
            f"WHERE table_schema = '{name}' ORDER BY 1, 2, 3")]
    return {"sums": sums, "counts": counts, "cols": cols, "idx": idx}


@pytest.mark.needs_mariadb
def test_live_audit_changes_nothing_mariadb(scratch_mariadb, audit):
    admin, url, name = scratch_mariadb
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE TABLE `{name}`.a (id bigint PRIMARY KEY, v text)")
        conn.exec_driver_sql(f"CREATE TABLE `{name}`.b (a_id bigint, n int, FOREIGN KEY (a_id) REFERENCES `{name}`.a (id))")
        conn.exec_driver_sql(f"INSERT INTO `{name}`.a SELECT seq, MD5(seq) FROM seq_1_to_500")
        conn.exec_driver_sql(f"INSERT INTO `{name}`.b SELECT MOD(seq, 500) + 1, seq FROM seq_1_to_2000")
    before = _my_state(admin, name)
    run = audit(f"--dbaudit-db={url}", "-m", "dbaudit_live")
    assert run.json["items"], run.text[-2000:]
    assert _my_state(admin, name) == before


# -- faults ----------------------------------------------------------------------------------------
def test_unreachable_host_fails_within_five_seconds_with_one_message(audit):
    start = time.monotonic()
    run = audit("--dbaudit-db=postgresql://audit:Zz9-unreach@192.0.2.10:5432/shop", "-m", "dbaudit_live")
    elapsed = time.monotonic() - start
    target = next(t for t in run.json["targets"] if t["kind"] == "live")
    assert target["status"] == "unreachable", target
    assert "cannot connect to postgresql://audit@192.0.2.10:5432/shop" in target["error"]
    assert "Zz9-unreach" not in run.text
    live = [i for i in run.json["items"] if i["mode"] == "live"]
    assert live and all(i["outcome"] == "unknown" for i in live)
    assert len({i["reason"] for i in live}) == 1  # one message, repeated by reference, not N attempts
    assert elapsed < 5 + 10, elapsed  # the connect timeout plus pytest's own start-up in a subprocess


def test_unreachable_host_gives_up_within_five_seconds():
    """The connect itself, with the default settings (connect_timeout_s 3), timed without pytest's start-up."""
    from pytest_dbaudit.config import AuditConfig
    from pytest_dbaudit.live import connect
    from pytest_dbaudit.outcomes import TargetUnavailable
    from pytest_dbaudit.targets import live_target

    for url in ("postgresql://audit:Zz9-unreach@192.0.2.10:5432/shop", "mysql://audit:Zz9-unreach@192.0.2.10/shop"):
        start = time.monotonic()
        with pytest.raises(TargetUnavailable) as info:
            connect(live_target(url), AuditConfig().live)
        elapsed = time.monotonic() - start
        assert elapsed < 5, (url, elapsed)
        assert "cannot connect" in str(info.value) and "Zz9-unreach" not in str(info.value)


@pytest.mark.needs_mariadb
def test_wrong_password_is_one_message_without_the_password(mariadb_bare_user, audit):
    url, user = mariadb_bare_user
    wrong = url.replace(PASSWORD, "Wr0ng-Guess@x")
    run = audit(f"--dbaudit-db={wrong}", "-m", "dbaudit_live")
    assert "Wr0ng-Guess" not in run.text and "Wr0ng-Guess" not in json.dumps(run.json)
    live = [i for i in run.json["items"] if i["mode"] == "live"]
    assert live and all(i["outcome"] == "unknown" for i in live)
    reasons = {i["reason"] for i in live}
    assert len(reasons) == 1 and "Access denied" in next(iter(reasons)), reasons


@pytest.mark.needs_postgres
def test_catalog_query_blocked_by_a_lock_ends_at_the_lock_timeout_as_unknown(scratch_pg, audit, pytester):
    admin, url, name = scratch_pg
    _seed(url, ["CREATE TABLE hot (id bigint PRIMARY KEY)"])
    pytester.makefile(".yaml", dbaudit="live: {lock_timeout_ms: 300, statement_timeout_ms: 3000}\n")
    holder = sa.create_engine(url)
    conn = holder.connect()
    trans = conn.begin()
    conn.exec_driver_sql("LOCK TABLE hot IN ACCESS EXCLUSIVE MODE")  # what a migration's ALTER TABLE holds
    try:
        start = time.monotonic()
        run = audit(f"--dbaudit-db={url}", "-k", "CA-01")
        elapsed = time.monotonic() - start
    finally:
        trans.rollback()
        conn.close()
        holder.dispose()
    item = run.item("CA-01[postgresql")
    part = next(p for p in item["parts"] if p["probe"] == "pg.size-inventory")
    assert part["outcome"] == "unknown" and part["reason"].startswith("timeout:"), part
    assert "lock timeout" in part["reason"]
    assert item["outcome"] == "unknown"
    assert elapsed < 30, elapsed
