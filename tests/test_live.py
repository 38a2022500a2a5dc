"""Live checks against the real PostgreSQL and MariaDB on this machine, and SQLite files."""

import sqlite3
import time
import uuid

import pytest

from conftest import EXAMPLES
from pytest_dbaudit.live import connect
from pytest_dbaudit.outcomes import TargetUnavailable
from pytest_dbaudit.targets import live_target

SETTINGS = {"statement_timeout_ms": 5000, "lock_timeout_ms": 1000, "connect_timeout_s": 5}
PASSWORD = "Liv3-Pa55@word:/x"  # '@', ':' and '/' in a password: the classic DSN parsing traps


def _outputs(pytester, run):
    out = pytester.path / "out"
    return {"terminal": run.text, "junit": (out / "junit.xml").read_text(), "json": (out / "report.json").read_text(),
            "html": (out / "report.html").read_text()}


@pytest.fixture
def pg_app(scratch_pg):
    """A PostgreSQL database with one table lacking a primary key, and a password-protected app role."""
    admin, url, name = scratch_pg
    role = f"dbaudit_app_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'")
    import sqlalchemy as sa

    db = sa.create_engine(url)
    with db.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE customers (id bigint PRIMARY KEY, email text)")
        conn.exec_driver_sql("CREATE TABLE audit_log (at timestamptz, message text)")
        conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    db.dispose()
    host = url.split("@", 1)[1]
    yield f"postgresql://{role}:{PASSWORD}@{host}", name
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")


@pytest.fixture
def mariadb_app(scratch_mariadb):
    admin, url, name = scratch_mariadb
    user = f"dbaudit_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE TABLE `{name}`.items (sku varchar(32), qty int)")
        conn.exec_driver_sql(f"CREATE TABLE `{name}`.warehouses (code varchar(16) PRIMARY KEY)")
        conn.exec_driver_sql(f"CREATE USER '{user}'@'%%' IDENTIFIED BY '{PASSWORD}'")
        conn.exec_driver_sql(f"CREATE USER '{user}'@'localhost' IDENTIFIED BY '{PASSWORD}'")
        conn.exec_driver_sql(f"GRANT SELECT ON `{name}`.* TO '{user}'@'%%'")
        conn.exec_driver_sql(f"GRANT SELECT ON `{name}`.* TO '{user}'@'localhost'")
    host = url.split("@", 1)[1]
    yield f"mysql+pymysql://{user}:{PASSWORD}@{host}", name
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP USER IF EXISTS '{user}'@'%%'")
        conn.exec_driver_sql(f"DROP USER IF EXISTS '{user}'@'localhost'")


def test_postgres_live_checks_and_no_password_anywhere(pytester, audit, pg_app):
    url, name = pg_app
    run = audit("--dbaudit-db", url, "-m", "dbaudit_live", f"--html={pytester.path / 'out' / 'report.html'}")
    label = live_target(url).label
    assert run.outcome(f"SD-03[{label}]") == "fail"
    findings = run.item(f"SD-03[{label}]")["findings"]
    assert [f["message"] for f in findings] == ["table public.audit_log has no primary key"]
    assert run.outcome(f"TV-03[{label}]") == "pass"
    assert "supported until" in " ".join(run.item(f"TV-03[{label}]")["evidence"])
    # the schema is reflected once per target (by whichever schema probe runs first) and shared
    assert any("pg_constraint" in q for i in run.json["items"] for q in i["queries"])
    assert any("table(s) reflected" in e for e in run.item(f"SD-03[{label}]")["evidence"])
    target = [t for t in run.json["targets"] if t.get("label") == label][0]
    assert target["status"] == "connected" and target["flavor"] == "postgresql"
    for where, text in _outputs(pytester, run).items():
        assert PASSWORD not in text, where
        assert "Liv3-Pa55" not in text, where


def test_mariadb_live_checks_and_no_password_anywhere(pytester, audit, mariadb_app):
    url, name = mariadb_app
    run = audit("--dbaudit-db", url, "-m", "dbaudit_live", f"--html={pytester.path / 'out' / 'report.html'}")
    label = live_target(url).label
    assert run.outcome(f"SD-03[{label}]") == "fail"
    assert [f["message"] for f in run.item(f"SD-03[{label}]")["findings"]] == [f"table {name}.items has no primary key"]
    assert run.outcome(f"TV-03[{label}]") == "pass"
    target = [t for t in run.json["targets"] if t.get("label") == label][0]
    assert target["flavor"] == "mariadb"
    for where, text in _outputs(pytester, run).items():
        assert PASSWORD not in text and "Liv3-Pa55" not in text, where


def test_sqlite_live(pytester, audit, tmp_path):
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE a (id integer primary key)")
        conn.execute("CREATE TABLE b (x text)")
    run = audit("--dbaudit-db", f"sqlite:///{path}", "-m", "dbaudit_live")
    assert run.outcome(f"SD-03[sqlite:///{path}]") == "fail"
    assert run.outcome(f"TV-03[sqlite:///{path}]") == "pass"


@pytest.mark.parametrize("kind", ["postgres", "mariadb", "sqlite"])
def test_sessions_are_read_only(kind, request, tmp_path):
    if kind == "postgres":
        url = request.getfixturevalue("pg_app")[0]
        write_sql = "CREATE TABLE nope (id int)"
    elif kind == "mariadb":
        url = request.getfixturevalue("scratch_mariadb")[1]  # root: read-only must hold even for root
        write_sql = "INSERT INTO mysql.help_topic (help_topic_id, name, help_category_id, description, example, url) VALUES (999999, 'x', 1, '', '', '')"
    else:
        path = tmp_path / "ro.db"
        sqlite3.connect(path).execute("CREATE TABLE t (id int)").connection.commit()
        url, write_sql = f"sqlite:///{path}", "INSERT INTO t VALUES (1)"
    db = connect(live_target(url), SETTINGS)
    try:
        with pytest.raises(Exception, match="(?i)read.only|readonly|READ ONLY"):
            db.rows(write_sql)
    finally:
        db.close()


def test_statement_timeout_applies(pg_app):
    db = connect(live_target(pg_app[0]), {**SETTINGS, "statement_timeout_ms": 200})
    try:
        with pytest.raises(Exception, match="statement timeout"):
            db.rows("SELECT pg_sleep(2)")
    finally:
        db.close()


def test_unreachable_database_is_one_clear_error_and_static_items_still_run(pytester, audit):
    (pytester.path / "db").mkdir()
    (pytester.path / "db" / "schema.sql").write_text("CREATE TABLE t (id int PRIMARY KEY);\n")
    start = time.monotonic()
    run = audit("--dbaudit-db", "postgresql://app:Unr3achable@127.0.0.1:1/shop", "-m", "dbaudit_live or dbaudit_static")
    elapsed = time.monotonic() - start
    assert elapsed < 10, elapsed
    errors = [ln for ln in run.result.outlines if ln.startswith("ERROR ")]
    assert len(errors) == 1
    assert errors[0].startswith("ERROR dbaudit/targets::connect[postgresql://app@127.0.0.1:1/shop] - Failed: c")
    assert 'port 1 failed: Connection refused' in run.json["targets"][1]["error"]
    assert run.outcome("SD-03[postgresql://app@127.0.0.1:1/shop]") == "unknown"
    assert "target unavailable" in run.item("SD-03[postgresql://app@127.0.0.1:1/shop]")["reason"]
    assert run.outcome("MG-01[repo]") in ("pass", "fail")  # static items decided
    assert run.outcome("SE-11[repo]") == "pass"
    assert "Unr3achable" not in run.text


def test_connect_error_names_missing_database(postgres_admin_url):
    url = postgres_admin_url.rsplit("/", 1)[0] + "/dbaudit_does_not_exist"
    with pytest.raises(TargetUnavailable, match='database "dbaudit_does_not_exist" does not exist'):
        connect(live_target(url), SETTINGS)


def test_legacy_schema_live(pytester, audit, scratch_pg):
    """The legacy example's hand-written schema, loaded into a real database, fails the PK check."""
    import sqlalchemy as sa

    admin, url, name = scratch_pg
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql((EXAMPLES / "legacy_inventory" / "db" / "schema.sql").read_text())
    engine.dispose()
    run = audit("--dbaudit-db", url, "-k", "SD-03")
    label = live_target(url).label
    tables = sorted(f["message"] for f in run.item(f"SD-03[{label}]")["findings"])
    assert tables == ["table public.items has no primary key", "table public.stock has no primary key"]


def test_mariadb_partial_privileges_are_unknown_not_pass(pytester, audit, scratch_mariadb):
    """A role that can see only some tables must not get a pass for the tables it cannot see."""
    admin, url, name = scratch_mariadb
    user = f"dbaudit_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE TABLE `{name}`.keyed (id int PRIMARY KEY)")
        conn.exec_driver_sql(f"CREATE TABLE `{name}`.hidden_keyless (x int)")
        conn.exec_driver_sql(f"CREATE USER '{user}'@'%%' IDENTIFIED BY '{PASSWORD}'")
        conn.exec_driver_sql(f"GRANT SELECT ON `{name}`.keyed TO '{user}'@'%%'")
    try:
        host = url.split("@", 1)[1]
        run = audit("--dbaudit-db", f"mysql+pymysql://{user}:{PASSWORD}@{host}", "-k", "SD-03")
        item = run.item("SD-03[mysql")
        assert item["outcome"] == "unknown"
        assert f"GRANT SELECT ON `{name}`.* TO '{user}'@'%'" in item["reason"]
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP USER IF EXISTS '{user}'@'%%'")


def test_empty_postgres_database_passes_vacuously(pytester, audit, scratch_pg):
    run = audit("--dbaudit-db", scratch_pg[1], "-k", "SD-03")
    item = run.item("SD-03[postgresql")
    assert item["outcome"] == "pass" and "schema.no-primary-key: 0 table(s) reflected" in item["evidence"][0]
