"""Schema checks written once, judged on live PostgreSQL, MariaDB and SQLite databases.

Each engine gets a known-bad database (the defects listed in BAD) and a known-good twin: every
planted defect is found, the twin passes the same items, and reflection costs the same number of
queries for 10 tables as for 200.
"""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from pytest_dbaudit.live import connect
from pytest_dbaudit.schema.checks import CHECKS
from pytest_dbaudit.schema.reflect import reflect
from pytest_dbaudit.targets import live_target

SETTINGS = {"statement_timeout_ms": 5000, "lock_timeout_ms": 1000, "connect_timeout_s": 5}
ITEMS = sorted({c.item for c in CHECKS})

PG_BAD = """
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, created_at timestamp NOT NULL DEFAULT now(),
                        updated_at timestamptz, deleted_at timestamptz);
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id bigint NOT NULL,
                     price double precision NOT NULL, paid boolean, created_at timestamptz, updated_at timestamptz,
                     is_deleted boolean NOT NULL DEFAULT false);
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;
CREATE TABLE order_lines (order_id bigint, sku text, qty int, note text);
CREATE INDEX order_lines_order_idx ON order_lines (order_id);
CREATE INDEX order_lines_order_idx2 ON order_lines (order_id);
CREATE INDEX order_lines_order_sku_idx ON order_lines (order_id, sku);
CREATE UNIQUE INDEX customers_name_key ON customers (name);
CREATE TABLE "AuditTrail" (id bigint PRIMARY KEY, "eventName" text NOT NULL, created_at timestamptz NOT NULL,
                           updated_at timestamptz NOT NULL);
"""
PG_GOOD = """
CREATE TABLE customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL,
                        created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
                        deleted_at timestamptz);
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                     customer_id bigint NOT NULL REFERENCES customers, price numeric(12,2) NOT NULL,
                     paid boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL DEFAULT now(),
                     updated_at timestamptz NOT NULL DEFAULT now(), deleted_at timestamptz);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE UNIQUE INDEX customers_name_live ON customers (name) WHERE deleted_at IS NULL;
COMMENT ON TABLE customers IS 'people who buy';
COMMENT ON TABLE orders IS 'what they bought';
"""
# What the bad database must produce, per item: substrings of finding messages.
PG_EXPECT = {
    "SD-03": ["order_lines has no primary key"],
    "SD-05": ["orders(customer_id)"],
    "SD-04": ["orders_customer_fk on public.orders is NOT VALID"],
    "PF-04": ["order_lines_order_idx2 on public.order_lines(order_id) duplicates index order_lines_order_idx",
              "is a prefix of order_lines_order_sku_idx"],
    "SD-02": ['table public.AuditTrail is PascalCase', "column public.AuditTrail.eventName is camelCase"],
    "SD-06": ["public.orders.price holds money in a binary float", "public.customers.id is a integer key"],
    "SD-07": ["public.orders.paid is a nullable boolean", "every column of public.order_lines except its key"],
    "SD-08": ["public.order_lines has no created_at or updated_at", "public.customers.created_at is timestamp"],
    "SD-09": ["soft deletion uses 2 different markers", "unique index customers_name_key on public.customers ignores"],
    "SD-11": ["tables have no comment"],
}

MY_BAD = """
CREATE TABLE customers (id int AUTO_INCREMENT PRIMARY KEY, name varchar(80) NOT NULL, created_at timestamp NULL,
                        updated_at datetime) ENGINE=InnoDB;
CREATE TABLE orders (id bigint AUTO_INCREMENT PRIMARY KEY, customer_id int NOT NULL, amount float NOT NULL,
                     created_at datetime NOT NULL, updated_at datetime NOT NULL) ENGINE=InnoDB;
CREATE TABLE order_lines (order_id bigint, sku varchar(32), qty int, KEY ol1 (order_id), KEY ol2 (order_id),
                          KEY ol3 (order_id, sku)) ENGINE=InnoDB;
"""
MY_GOOD = """
CREATE TABLE customers (id bigint AUTO_INCREMENT PRIMARY KEY, name varchar(80) NOT NULL,
                        created_at datetime NOT NULL, updated_at datetime NOT NULL) ENGINE=InnoDB COMMENT 'buyers';
CREATE TABLE orders (id bigint AUTO_INCREMENT PRIMARY KEY, customer_id bigint NOT NULL, amount decimal(12,2) NOT NULL,
                     created_at datetime NOT NULL, updated_at datetime NOT NULL,
                     CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)) ENGINE=InnoDB
                     COMMENT 'purchases';
"""
MY_EXPECT = {
    "SD-03": ["order_lines has no primary key"],
    "SD-04": ["orders.customer_id looks like a reference to"],
    "PF-04": ["index ol2 on", "ol1 on"],
    "SD-06": ["orders.amount holds money in a binary float", "customers.id is a int(11) key"],
    "SD-08": ["order_lines has no created_at or updated_at", "customers.created_at is TIMESTAMP"],
    "SD-11": ["tables have no comment"],
}

LITE_BAD = """
CREATE TABLE customers (id integer PRIMARY KEY, name text, created_at text, updated_at text);
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers, price real,
                     created_at text, updated_at text);
CREATE TABLE order_lines (order_id integer, sku text, qty integer);
CREATE INDEX ol1 ON order_lines (order_id);
CREATE INDEX ol2 ON order_lines (order_id);
"""
LITE_GOOD = """
CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, created_at text NOT NULL, updated_at text NOT NULL);
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers, price numeric NOT NULL,
                     created_at text NOT NULL, updated_at text NOT NULL);
CREATE INDEX orders_customer ON orders (customer_id);
"""
LITE_EXPECT = {
    "SD-03": ["order_lines has no primary key"],
    "SD-05": ["orders(customer_id)"],
    "PF-04": ["index ol2 on order_lines(order_id) duplicates index ol1"],
    "SD-06": ["orders.price holds money in a binary float"],
}


def _run(pg_url_or_path: str):
    db = connect(live_target(pg_url_or_path), SETTINGS)
    try:
        schema = reflect(db)
        out = {}
        for c in CHECKS:
            th = c.thresholds.get
            out.setdefault(c.item, []).extend(f.message for f in c.fn(schema, th))
        return out, schema, len(db.queries)
    finally:
        db.close()


def _exec(admin_url: str, url: str, script: str) -> None:
    eng = sa.create_engine(url)
    with eng.begin() as conn:
        for stmt in [s for s in script.split(";") if s.strip()]:
            conn.exec_driver_sql(stmt)
    eng.dispose()


def _assert_found(found: dict, expect: dict) -> None:
    for item, wanted in expect.items():
        for w in wanted:
            assert any(w in m for m in found[item]), (item, w, found[item])


def _assert_clean(found: dict, items) -> None:
    dirty = {i: found[i] for i in items if found.get(i)}
    assert not dirty, dirty


@pytest.mark.needs_postgres
def test_postgres_bad_and_good(scratch_pg, postgres_admin_url):
    admin, url, name = scratch_pg
    _exec(postgres_admin_url, url, PG_BAD)
    found, schema, _ = _run(url)
    _assert_found(found, PG_EXPECT)
    assert schema.tables["public.orders"].foreign_keys[0].validated is False


@pytest.mark.needs_postgres
def test_postgres_good_twin_passes(scratch_pg, postgres_admin_url):
    admin, url, name = scratch_pg
    _exec(postgres_admin_url, url, PG_GOOD)
    found, _, _ = _run(url)
    _assert_clean(found, ITEMS)


@pytest.mark.needs_mariadb
def test_mariadb_bad_and_good(scratch_mariadb, mariadb_admin_url):
    admin, url, name = scratch_mariadb
    _exec(mariadb_admin_url, url, MY_BAD)
    found, schema, _ = _run(url)
    _assert_found(found, MY_EXPECT)
    assert found["SD-05"] == []  # InnoDB indexes every foreign key itself


@pytest.mark.needs_mariadb
def test_mariadb_good_twin_passes(scratch_mariadb, mariadb_admin_url):
    admin, url, name = scratch_mariadb
    _exec(mariadb_admin_url, url, MY_GOOD)
    found, _, _ = _run(url)
    _assert_clean(found, ITEMS)


def test_sqlite_bad_and_good(tmp_path):
    bad, good = tmp_path / "bad.db", tmp_path / "good.db"
    for path, script in ((bad, LITE_BAD), (good, LITE_GOOD)):
        conn = sqlite3.connect(path)
        conn.executescript(script)
        conn.close()
    found, _, _ = _run(f"sqlite:///{bad}")
    _assert_found(found, LITE_EXPECT)
    found, _, _ = _run(f"sqlite:///{good}")
    _assert_clean(found, ITEMS)


@pytest.mark.needs_postgres
def test_reflection_queries_do_not_grow_with_tables(scratch_pg, postgres_admin_url):
    admin, url, name = scratch_pg
    eng = sa.create_engine(url)
    counts = []
    made = 0
    for n in (10, 200):
        with eng.begin() as conn:
            for i in range(made, n):
                conn.exec_driver_sql(f"CREATE TABLE t{i} (id bigint PRIMARY KEY, ref bigint REFERENCES t{max(i - 1, 0)}, "
                                     f"v text)")
                conn.exec_driver_sql(f"CREATE INDEX t{i}_ref ON t{i} (ref)")
        made = n
        _, schema, queries = _run(url)
        assert len(schema.tables) == n
        counts.append(queries)
    eng.dispose()
    assert counts[0] == counts[1] == 4, counts


@pytest.mark.needs_postgres
def test_live_audit_runs_schema_probes_end_to_end(scratch_pg, postgres_admin_url, audit, pytester):
    admin, url, name = scratch_pg
    _exec(postgres_admin_url, url, PG_BAD)
    run = audit(f"--dbaudit-db={url}", "-k", "SD-03 or SD-05 or PF-04")
    sd03 = run.item("SD-03[postgresql")
    assert sd03["outcome"] == "fail"
    assert [p["probe"] for p in sd03["parts"]] == ["schema.no-primary-key"]
    assert any("order_lines has no primary key" in f["message"] for f in sd03["findings"])
    assert run.item("SD-05[postgresql")["outcome"] == "fail"


@pytest.mark.needs_postgres
def test_same_verdicts_on_a_static_prisma_schema_and_the_database_built_from_it(scratch_pg, postgres_admin_url):
    """Parity: the Prisma schema read statically and the PostgreSQL database its DDL builds."""
    from pathlib import Path

    from pytest_dbaudit.schema.readers import schemas_of
    from pytest_dbaudit.sources.walk import Repository

    parity = Path(__file__).parent / "data" / "schema" / "parity"
    static = next(s for s in schemas_of(Repository(parity)) if s.source.startswith("prisma"))
    admin, url, name = scratch_pg
    _exec(postgres_admin_url, url, (parity / "schema.sql").read_text())
    db = connect(live_target(url), SETTINGS)
    try:
        live = reflect(db)
    finally:
        db.close()

    def verdicts(schema):
        out = {}
        for c in CHECKS:
            found = c.fn(schema, c.thresholds.get)
            # the objects named, without the source-specific location prefix
            out[c.id] = sorted(f.message.replace("public.", "") for f in found)
        return out

    s, lv = verdicts(static), verdicts(live)
    assert {k: bool(v) for k, v in s.items()} == {k: bool(v) for k, v in lv.items()}
    assert s == lv
    assert any(s.values())  # the fixture plants defects: parity of two empty answers would prove nothing


@pytest.mark.needs_postgres
@pytest.mark.slow
def test_a_full_live_audit_runs_the_same_number_of_queries_for_10_and_10000_tables(postgres_admin_url):
    """Every live item on a database of 10 tables and one of 10 000 (benchmarks/live_scale.py's generator)."""
    import sys
    import uuid
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import live_scale

    counts = {}
    for n in (10, 10_000):
        name = f"dbaudit_test_scale_{n}_{uuid.uuid4().hex[:6]}"
        url = live_scale.create(n, postgres_admin_url, name=name)
        try:
            result = live_scale.audit(url)
        finally:
            live_scale.drop(n, postgres_admin_url, name=name)
        assert result["items"] > 50, result
        counts[n] = result["queries"]
    assert counts[10] == counts[10_000], counts
