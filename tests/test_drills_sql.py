"""The MG-04 drill on raw-SQL histories (golang-migrate, Flyway undo scripts) and in seeded-data mode.

Local servers (127.0.0.1:5432, 127.0.0.1:3306), SQLite, and containers built from the local images.
With CI set, a missing server or Docker engine fails these tests instead of skipping them.

SQLAlchemy is imported at collection on purpose: pytester drops the modules first imported during one
of its tests, and a second copy of SQLAlchemy's modules in one process breaks its compiled cache keys.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from conftest import DATA, write
from pytest_dbaudit.drills.seed import Seeder
from pytest_dbaudit.drills.sql_split import split_statements

ALEMBIC_ENV = (DATA / "alembic" / "broken_downgrade" / "migrations" / "env.py").read_text()

# A golang-migrate history with two bad downs: 2 forgets the index it created, 4 names a column that
# does not exist. 3 has semicolons inside a string and a comment (the splitter must not cut there);
# 5 comes after both failures: the walk goes on past a bad downgrade.
DOWN_DEFECTS = {
    "repo/db/migrations/000001_create_item.up.sql":
        "CREATE TABLE item (id bigint PRIMARY KEY, sku varchar(40) NOT NULL);\n",
    "repo/db/migrations/000001_create_item.down.sql": "DROP TABLE item;\n",
    "repo/db/migrations/000002_item_sku_price.up.sql": (
        "ALTER TABLE item ADD COLUMN price numeric(10, 2);\nCREATE INDEX item_sku ON item (sku);\n"),
    "repo/db/migrations/000002_item_sku_price.down.sql": "-- forgets the index\nALTER TABLE item DROP COLUMN price;\n",
    "repo/db/migrations/000003_item_note.up.sql": (
        "ALTER TABLE item ADD COLUMN note varchar(200) DEFAULT 'a;b';\n-- a comment; with a semicolon\n"
        "UPDATE item SET note = 'it''s; fine';\n"),
    "repo/db/migrations/000003_item_note.down.sql": "ALTER TABLE item DROP COLUMN note;\n",
    "repo/db/migrations/000004_item_stock.up.sql": "ALTER TABLE item ADD COLUMN stock integer;\n",
    "repo/db/migrations/000004_item_stock.down.sql": "ALTER TABLE item DROP COLUMN stok;\n",
    "repo/db/migrations/000005_item_color.up.sql": "ALTER TABLE item ADD COLUMN color varchar(20);\n",
    "repo/db/migrations/000005_item_color.down.sql": "ALTER TABLE item DROP COLUMN color;\n",
}

# Fine on empty tables; on a table with rows PostgreSQL refuses a NOT NULL column without a default.
NOT_NULL = {
    "repo/db/migrations/000001_init.up.sql": (
        "CREATE TABLE account (id bigint PRIMARY KEY, email varchar(200) NOT NULL UNIQUE, name varchar(100));\n"
        "CREATE TABLE invoice (id serial PRIMARY KEY, account_id bigint NOT NULL REFERENCES account (id),\n"
        "  total numeric(12, 2) NOT NULL, created_at timestamptz NOT NULL DEFAULT now());\n"),
    "repo/db/migrations/000001_init.down.sql": "DROP TABLE invoice;\nDROP TABLE account;\n",
    "repo/db/migrations/000002_account_plan.up.sql": "ALTER TABLE account ADD COLUMN plan varchar(20) NOT NULL;\n",
    "repo/db/migrations/000002_account_plan.down.sql": "ALTER TABLE account DROP COLUMN plan;\n",
}

# Flyway with undo scripts; V2 builds its index CONCURRENTLY, which PostgreSQL refuses in a transaction.
FLYWAY_UNDO = {
    "repo/flyway/sql/V1__create_account.sql": "CREATE TABLE account (id bigint PRIMARY KEY, email text);\n",
    "repo/flyway/sql/U1__create_account.sql": "DROP TABLE account;\n",
    "repo/flyway/sql/V2__account_email_index.sql": "CREATE INDEX CONCURRENTLY account_email ON account (email);\n",
    "repo/flyway/sql/U2__account_email_index.sql": "DROP INDEX CONCURRENTLY account_email;\n",
    "repo/flyway/sql/V3__account_name.sql": "ALTER TABLE account ADD COLUMN name text;\n",
    "repo/flyway/sql/U3__account_name.sql": "ALTER TABLE account DROP COLUMN name;\n",
}

ALEMBIC_NOT_NULL = {
    "repo/alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite://\n",
    "repo/migrations/env.py": ALEMBIC_ENV,
    "repo/migrations/versions/a1_account.py": (
        "import sqlalchemy as sa\nfrom alembic import op\n\nrevision = 'a1'\ndown_revision = None\n\n\n"
        "def upgrade():\n    op.create_table('account', sa.Column('id', sa.Integer, primary_key=True),\n"
        "                    sa.Column('email', sa.String(200), nullable=False, unique=True))\n\n\n"
        "def downgrade():\n    op.drop_table('account')\n"),
    "repo/migrations/versions/b2_plan.py": (
        "import sqlalchemy as sa\nfrom alembic import op\n\nrevision = 'b2'\ndown_revision = 'a1'\n\n\n"
        "def upgrade():\n    op.add_column('account', sa.Column('plan', sa.String(20), nullable=False))\n\n\n"
        "def downgrade():\n    op.drop_column('account', 'plan')\n"),
}


def drill_config(pytester, pg: str = "", mariadb: str = "", **drills) -> str:
    lines = ["throwaway:", "  containers: false"]
    lines += [f"  postgresql: {pg}"] if pg else []
    lines += [f"  mariadb: {mariadb}"] if mariadb else []
    if drills:
        lines.append("drills: {" + ", ".join(f"{k}: {v}" for k, v in drills.items()) + "}")
    write(pytester.path, {"drill.yaml": "\n".join(lines) + "\n"})
    return f"--dbaudit-config={pytester.path / 'drill.yaml'}"


def mg04(run, engine: str) -> dict:
    return run.item(f"MG-04[drill-{engine}]")


def assert_down_defects_found(item: dict, engine: str) -> None:
    assert item["outcome"] == "fail", item
    by_file = {f["location"]: f["message"] for f in item["findings"]}
    assert set(by_file) == {"db/migrations/000002_item_sku_price.down.sql", "db/migrations/000004_item_stock.down.sql"}
    # the fingerprint difference names the revision and the index left behind
    assert by_file["db/migrations/000002_item_sku_price.down.sql"] == (
        f"golang-migrate downgrade of revision 2_item_sku_price failed on {engine}: index item_sku (sku) on item "
        "left behind")
    # the SQL error names the revision, the driver's error and the statement, on one line
    error = by_file["db/migrations/000004_item_stock.down.sql"]
    assert error.startswith(f"golang-migrate downgrade of revision 4_item_stock failed on {engine}: ")
    assert "stok" in error.split("[SQL:")[0]
    assert error.endswith("[SQL: ALTER TABLE item DROP COLUMN stok]")
    assert "\n" not in error
    evidence = " ".join(item["evidence"])
    assert "2 failure(s); 2 database(s) rebuilt to go on after a failed downgrade" in evidence


# -- local servers and SQLite ------------------------------------------------------------------------

@pytest.mark.parametrize("engine", ["postgresql", "mariadb", "sqlite"])
def test_sql_down_defects_name_revision_index_and_error(pytester, audit, engine, request):
    pg = request.getfixturevalue("postgres_admin_url") if engine == "postgresql" else ""
    mariadb = request.getfixturevalue("mariadb_admin_url") if engine == "mariadb" else ""
    write(pytester.path, DOWN_DEFECTS)
    run = audit("--dbaudit-repo", str(pytester.path / "repo"), drill_config(pytester, pg, mariadb, progress_after_s=0),
                "--dbaudit-drill-engine", engine, "-k", "MG-04")
    assert_down_defects_found(mg04(run, engine), engine)
    # progress lines, one per revision (progress_after_s: 0), shown with pytest's normal output
    for n, rid in enumerate(["1_create_item", "2_item_sku_price", "3_item_note", "4_item_stock", "5_item_color"], 1):
        assert f"MG-04 drill: revision {n} of 5 ({rid}) - golang-migrate db/migrations on {engine}" in run.text


def test_several_histories_in_one_drill_flyway_undo_and_golang_migrate(pytester, audit, postgres_admin_url):
    """Flyway with U scripts (CREATE INDEX CONCURRENTLY: statements run outside a transaction) passes
    next to a golang-migrate history that fails: one item, findings of each history."""
    write(pytester.path, {**DOWN_DEFECTS, **FLYWAY_UNDO})
    run = audit("--dbaudit-repo", str(pytester.path / "repo"), drill_config(pytester, postgres_admin_url,
                                                                            progress_after_s=0),
                "--dbaudit-drill-engine", "postgresql", "-k", "MG-04", "-q")
    item = mg04(run, "postgresql")
    assert {f["location"].split("/")[0] for f in item["findings"]} == {"db"}
    assert "Flyway flyway/sql: up, down, up again for each of 3 revision(s): same schema after each down " \
           "(3 undone, 0 irreversible)" in item["evidence"]
    assert "MG-04 drill:" not in run.text  # no progress lines under -q


def test_missing_and_empty_down_are_irreversible_and_the_walk_goes_on(pytester, audit, postgres_admin_url):
    files = {k: v for k, v in DOWN_DEFECTS.items() if "000002" not in k and "000004" not in k}
    files["repo/db/migrations/000003_item_note.down.sql"] = "-- nothing to undo\n"
    write(pytester.path, files)
    run = audit("--dbaudit-repo", str(pytester.path / "repo"), drill_config(pytester, postgres_admin_url),
                "--dbaudit-drill-engine", "postgresql", "-k", "MG-04")
    item = mg04(run, "postgresql")
    assert [f["message"] for f in item["findings"]] == [
        "golang-migrate revision 3_item_note is irreversible (db/migrations/000003_item_note.down.sql is empty): "
        "the drill left its upgrade applied and went on"]
    assert any("for each of 3 revision(s): same schema after each down (2 undone, 1 irreversible)" in e
               for e in item["evidence"])


def test_not_null_without_default_is_caught_only_with_seeded_rows(pytester, audit, postgres_admin_url):
    write(pytester.path, NOT_NULL)
    repo = str(pytester.path / "repo")
    plain = audit("--dbaudit-repo", repo, drill_config(pytester, postgres_admin_url), "--dbaudit-drill-engine",
                  "postgresql", "-k", "MG-04")
    assert mg04(plain, "postgresql")["outcome"] == "pass"

    seeded = audit("--dbaudit-repo", repo, drill_config(pytester, postgres_admin_url, seed_rows=3),
                   "--dbaudit-drill-engine", "postgresql", "-k", "MG-04")
    item = mg04(seeded, "postgresql")
    assert item["outcome"] == "fail"
    [finding] = item["findings"]
    assert finding["location"] == "db/migrations/000002_account_plan.up.sql"
    assert finding["message"].startswith(
        "golang-migrate upgrade of revision 2_account_plan failed on postgresql: fails on a table with rows "
        "(passes on empty tables): NotNullViolation: column \"plan\" of relation \"account\" contains null values")
    # both tables were seeded, the child after its parent (NOT NULL foreign key)
    assert any("seeded 3 row(s) per table before each upgrade: 6 row(s)" in e for e in item["evidence"])


def test_alembic_not_null_without_default_caught_only_with_seeded_rows(pytester, audit, postgres_admin_url):
    write(pytester.path, ALEMBIC_NOT_NULL)
    repo = str(pytester.path / "repo")
    plain = audit("--dbaudit-repo", repo, drill_config(pytester, postgres_admin_url), "--dbaudit-drill-engine",
                  "postgresql", "-k", "MG-04")
    assert mg04(plain, "postgresql")["outcome"] == "pass", mg04(plain, "postgresql")

    seeded = audit("--dbaudit-repo", repo, drill_config(pytester, postgres_admin_url, seed_rows=3,
                                                        progress_after_s=0),
                   "--dbaudit-drill-engine", "postgresql", "-k", "MG-04")
    item = mg04(seeded, "postgresql")
    [finding] = item["findings"]
    assert finding["location"] == "migrations/versions/b2_plan.py"
    assert finding["message"].startswith("upgrade of revision b2 failed on postgresql: fails on a table with rows "
                                         "(passes on empty tables): NotNullViolation: column \"plan\"")
    assert any("alembic.ini: seeded 3 row(s) per table before each upgrade: 3 row(s)" in e for e in item["evidence"])
    # the child's progress reaches the terminal while it runs
    assert "MG-04 drill: revision 2 of 2 (b2) - alembic.ini on postgresql" in seeded.text


def test_broken_config_value_stops_the_run(pytester, audit):
    write(pytester.path, {"repo/placeholder.txt": ""})
    cfg = drill_config(pytester, seed_rows="many")
    run = audit("--dbaudit-repo", str(pytester.path / "repo"), cfg, "-k", "MG-04")
    assert "'drills.seed_rows' must be a whole number of rows 0-1000" in run.text


# -- containers ----------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.xdist_group("docker")  # one container start at a time on a 2-core machine
def test_sql_down_defects_in_containers(pytester, audit, docker_images, monkeypatch):
    monkeypatch.setenv("DBAUDIT_POSTGRES_IMAGE", docker_images["postgresql"])
    monkeypatch.setenv("DBAUDIT_MARIADB_IMAGE", docker_images["mariadb"])
    for name, value in (("TESTCONTAINERS_RYUK_DISABLED", "true"), ("TESTCONTAINERS_CONNECTION_MODE", "docker_host"),
                        ("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")):
        monkeypatch.setenv(name, os.environ.get(name, value))
    write(pytester.path, DOWN_DEFECTS)
    run = audit("--dbaudit-repo", str(pytester.path / "repo"), "--dbaudit-drill-engine", "postgresql",
                "--dbaudit-drill-engine", "mariadb", "-k", "MG-04", timeout=600)
    for engine in ("postgresql", "mariadb"):
        item = mg04(run, engine)
        assert_down_defects_found(item, engine)
        assert any(f"from container {docker_images[engine]}" in e for e in item["evidence"]), item["evidence"]


# -- the pieces ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sql, engine, expected", [
    ("CREATE TABLE a (x text DEFAULT 'a;b'); -- c;\nINSERT INTO a VALUES ('it''s;'); /* x; */ SELECT 1",
     "postgresql", ["CREATE TABLE a (x text DEFAULT 'a;b')", "INSERT INTO a VALUES ('it''s;')", "SELECT 1"]),
    ("CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN x := 1; RETURN NEW; END; $$ LANGUAGE plpgsql;\nSELECT $1;",
     "postgresql", ["CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN x := 1; RETURN NEW; END; $$ LANGUAGE plpgsql",
                    "SELECT $1"]),
    ("CREATE FUNCTION g() RETURNS int AS $body$ select 1; $$ x $$; $body$ LANGUAGE sql; SELECT E'a\\';b';",
     "postgresql", ["CREATE FUNCTION g() RETURNS int AS $body$ select 1; $$ x $$; $body$ LANGUAGE sql",
                    "SELECT E'a\\';b'"]),
    ("CREATE FUNCTION h() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;"
     " SELECT 3;", "postgresql",
     ["CREATE FUNCTION h() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END",
      "SELECT 3"]),
    ('/* outer /* inner; */ still; */ SELECT "a;b";', "postgresql", ['SELECT "a;b"']),
    ("BEGIN; CREATE TABLE x (id int); COMMIT;", "postgresql", ["BEGIN", "CREATE TABLE x (id int)", "COMMIT"]),
    ("-- nothing to undo\n", "postgresql", []),
    ("SELECT 'a\\';b'; # comment;\nSELECT `x;y` FROM t", "mariadb", ["SELECT 'a\\';b'", "SELECT `x;y` FROM t"]),
    ("DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; END//\nDELIMITER ;\nSELECT 2;", "mysql",
     ["CREATE PROCEDURE p() BEGIN SELECT 1; END", "SELECT 2"]),
    ("CREATE DEFINER=`root`@`%` PROCEDURE p() BEGIN DECLARE x INT; IF x THEN SELECT 1; END IF; "
     "WHILE x DO SET x = x - 1; END WHILE; CASE x WHEN 1 THEN SELECT 2; END CASE; END; SELECT 3;", "mariadb",
     ["CREATE DEFINER=`root`@`%` PROCEDURE p() BEGIN DECLARE x INT; IF x THEN SELECT 1; END IF; "
      "WHILE x DO SET x = x - 1; END WHILE; CASE x WHEN 1 THEN SELECT 2; END CASE; END", "SELECT 3"]),
    ("CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = 1; SELECT 4;", "mariadb",
     ["CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = 1", "SELECT 4"]),
    ("/*!40101 SET NAMES utf8 */;\n-- only a comment;\n", "mysql", ["/*!40101 SET NAMES utf8 */"]),
])
def test_split_statements(sql, engine, expected):
    assert split_statements(sql, engine) == expected


def test_error_lines_mask_passwords_in_sql():
    from pytest_dbaudit.drills.sql_drill import error_text

    exc = RuntimeError("syntax error at or near \"LOGIN\"\nLINE 1: ...")
    line = error_text(exc, "CREATE ROLE app\n  LOGIN PASSWORD 'hunter2'")
    assert line == "RuntimeError: syntax error at or near \"LOGIN\" [SQL: CREATE ROLE app LOGIN PASSWORD '****']"
    for sql in ("ALTER USER a IDENTIFIED BY 'hunter2'", "SET PASSWORD FOR 'a'@'%' = 'hunter2'",
                "CREATE USER a IDENTIFIED WITH mysql_native_password BY 'hunter2'"):
        assert "hunter2" not in error_text(RuntimeError("x"), sql)


SEEDED_SCHEMA = {
    "postgresql": [
        "CREATE TABLE parent (id bigint PRIMARY KEY, code varchar(50), amount bigint NOT NULL, note text, "
        "email varchar(120) UNIQUE, n numeric(8, 3), ok boolean NOT NULL, doc jsonb, at timestamptz)",
        "CREATE TABLE child (id serial PRIMARY KEY, parent_id bigint NOT NULL REFERENCES parent (id), "
        "slug varchar(30) NOT NULL, UNIQUE (parent_id, slug))",
    ],
    "mariadb": [
        "CREATE TABLE parent (id bigint PRIMARY KEY, code varchar(50), amount bigint NOT NULL, note text, "
        "email varchar(120) UNIQUE, n decimal(8, 3), ok boolean NOT NULL, doc json, at datetime)",
        "CREATE TABLE child (id int AUTO_INCREMENT PRIMARY KEY, parent_id bigint NOT NULL, slug varchar(30) NOT NULL, "
        "UNIQUE (parent_id, slug), FOREIGN KEY (parent_id) REFERENCES parent (id))",
    ],
}
DATA_DEPENDENT = {
    "postgresql": ["CREATE UNIQUE INDEX parent_code ON parent (code)",
                   "ALTER TABLE parent ALTER COLUMN code TYPE varchar(10)",
                   "ALTER TABLE parent ALTER COLUMN amount TYPE integer",
                   "ALTER TABLE parent ALTER COLUMN note SET NOT NULL",
                   "ALTER TABLE parent ALTER COLUMN n TYPE numeric(5, 3)"],
    "mariadb": ["CREATE UNIQUE INDEX parent_code ON parent (code)", "ALTER TABLE parent MODIFY code varchar(10)",
                "ALTER TABLE parent MODIFY amount int NOT NULL", "ALTER TABLE parent MODIFY note text NOT NULL",
                "ALTER TABLE parent MODIFY n decimal(5, 3)"],
}


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_seeded_rows_make_data_dependent_changes_fail(engine, request):
    """Duplicates in non-unique columns, values as wide as their types, NULLs in nullable columns; foreign
    keys and unique columns stay valid over several rounds."""
    _admin, url, _name = request.getfixturevalue("scratch_pg" if engine == "postgresql" else "scratch_mariadb")
    db = sa.create_engine(url)
    try:
        with db.begin() as conn:
            for stmt in SEEDED_SCHEMA[engine]:
                conn.exec_driver_sql(stmt)
        seeder = Seeder(3)
        assert [seeder.seed(db) for _ in range(3)] == [6, 6, 6]
        assert seeder.problems == {}
        for stmt in DATA_DEPENDENT[engine]:
            with pytest.raises(sa.exc.DBAPIError), db.begin() as conn:
                conn.exec_driver_sql(stmt)
        with db.connect() as conn:  # every child row points at a parent
            orphans = conn.exec_driver_sql("SELECT count(*) FROM child WHERE parent_id NOT IN (SELECT id FROM parent)")
            assert orphans.scalar() == 0
    finally:
        db.dispose()


def test_drills_config_defaults():
    from pytest_dbaudit.config import AuditConfig

    assert AuditConfig().drills == {"seed_rows": 0, "progress_after_s": 5, "timeout_s": 300}


DBMATE = {
    "repo/go.mod": "module x\n\nrequire github.com/jackc/pgx/v5 v5.6.0\n",
    "repo/db/migrations/20260101000000_items.sql": (
        "-- migrate:up\nCREATE TABLE items (id bigint PRIMARY KEY, sku text);\n\n"
        "-- migrate:down\nDROP TABLE items;\n"),
    "repo/db/migrations/20260102000000_sku_index.sql": (
        "-- migrate:up\nCREATE INDEX items_sku ON items (sku);\n\n"
        "-- migrate:down\nSELECT 1;\n"),  # forgets the index
}


def test_dbmate_sections_are_drilled_too(pytester, audit, postgres_admin_url):
    write(pytester.path, DBMATE)
    run = audit("--dbaudit-repo", str(pytester.path / "repo"), drill_config(pytester, postgres_admin_url),
                "--dbaudit-drill-engine", "postgresql", "-k", "MG-04 and drill")
    item = mg04(run, "postgresql")
    assert item["outcome"] == "fail", item
    (f,) = item["findings"]
    assert f["message"] == ("dbmate downgrade of revision 20260102000000_sku_index failed on postgresql: "
                            "index items_sku (sku) on items left behind")
    assert f["location"].startswith("db/migrations/20260102000000_sku_index.sql")
