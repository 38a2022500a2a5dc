"""Schema checks on the database the repository's migrations build (drill mode, schema/migrated.py).

The same checks as the static and live modes, on a throwaway database each migration history is
applied to: Prisma Migrate on PostgreSQL gives the verdicts the Prisma schema gives statically,
golang-migrate on MariaDB finds the planted defects and passes the good twin, Alembic histories
are upgraded by their own env.py, and a history that fails part way (or cannot be read) leaves the
items unknown rather than judging a half-built schema.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.test_schema_live import MY_BAD, MY_EXPECT, MY_GOOD

DATA = Path(__file__).parent / "data"
ITEMS = ["PF-04", "SD-02", "SD-03", "SD-04", "SD-05", "SD-06", "SD-07", "SD-08", "SD-09"]
K = " or ".join(ITEMS)


def _by_item(run, target: str) -> dict[str, dict]:
    return {i["id"]: i for i in run.json["items"] if i["id"] in ITEMS and i["target"] == target}


def _messages(item: dict) -> list[str]:
    """Findings without the source tag and schema prefix, which differ between the two sources by design."""
    return sorted(re.sub(r" \[[^\]]*\]$", "", f["message"]).replace("public.", "") for f in item["findings"])


@pytest.mark.needs_postgres
def test_prisma_migrations_built_on_postgres_give_the_static_verdicts(tmp_path, audit, monkeypatch,
                                                                       postgres_admin_url):
    parity = DATA / "schema" / "parity"
    mig = tmp_path / "prisma" / "migrations" / "20240101000000_init"
    mig.mkdir(parents=True)
    shutil.copy(parity / "schema.prisma", tmp_path / "prisma" / "schema.prisma")
    shutil.copy(parity / "schema.sql", mig / "migration.sql")
    (mig.parent / "migration_lock.toml").write_text('provider = "postgresql"\n')
    monkeypatch.setenv("DBAUDIT_THROWAWAY_POSTGRESQL", postgres_admin_url)
    run = audit("--dbaudit-repo", str(tmp_path), "--dbaudit-no-containers", "--dbaudit-drill-engine", "postgresql",
                "-k", K)
    static, drill = _by_item(run, "repo"), _by_item(run, "drill-postgresql")
    assert set(static) == set(drill) == set(ITEMS)
    assert {i: static[i]["outcome"] for i in ITEMS} == {i: drill[i]["outcome"] for i in ITEMS}
    assert {i: _messages(static[i]) for i in ITEMS} == {i: _messages(drill[i]) for i in ITEMS}
    assert sum(o["outcome"] == "fail" for o in drill.values()) >= 5  # the fixture plants defects
    assert any("migrated" in e and "5 table(s)" in e for e in drill["SD-03"]["evidence"])


def _golang(root: Path, sql: str) -> None:
    (root / "db" / "migrations").mkdir(parents=True)
    (root / "db" / "migrations" / "000001_init.up.sql").write_text(sql)
    tables = re.findall(r"CREATE TABLE (\w+)", sql)
    (root / "db" / "migrations" / "000001_init.down.sql").write_text(
        "".join(f"DROP TABLE {t};\n" for t in reversed(tables)))


@pytest.mark.needs_mariadb
def test_golang_migrate_history_built_on_mariadb_bad_and_good(tmp_path, audit, monkeypatch, mariadb_admin_url):
    bad, good = tmp_path / "bad", tmp_path / "good"
    _golang(bad, MY_BAD)
    _golang(good, MY_GOOD)
    monkeypatch.setenv("DBAUDIT_THROWAWAY_MARIADB", mariadb_admin_url)
    args = ("--dbaudit-no-containers", "--dbaudit-drill-engine", "mariadb", "-k", f"drill and ({K})")
    found = _by_item(audit("--dbaudit-repo", str(bad), *args), "drill-mariadb")
    for item, wanted in MY_EXPECT.items():
        if item in ITEMS:
            assert found[item]["outcome"] == "fail", found[item]
            for w in wanted:
                assert any(w in f["message"] for f in found[item]["findings"]), (item, w, found[item]["findings"])
    clean = _by_item(audit("--dbaudit-repo", str(good), *args), "drill-mariadb")
    assert {i: o["outcome"] for i, o in clean.items() if o["outcome"] != "pass"} == {}


@pytest.mark.needs_postgres
@pytest.mark.parametrize("engine", ["postgresql", "sqlite"])
def test_alembic_history_upgraded_by_its_env_py(tmp_path, audit, monkeypatch, postgres_admin_url, engine):
    shutil.copytree(DATA / "alembic" / "broken_downgrade", tmp_path / "app")  # its upgrades are fine
    monkeypatch.setenv("DBAUDIT_THROWAWAY_POSTGRESQL", postgres_admin_url)
    run = audit("--dbaudit-repo", str(tmp_path / "app"), "--dbaudit-no-containers", "--dbaudit-drill-engine", engine,
                "-k", "drill and (SD-03 or SD-05)")
    items = _by_item(run, f"drill-{engine}")
    assert items["SD-03"]["outcome"] == "pass"
    assert items["SD-05"]["outcome"] == "fail"
    assert any("invoices(account_id)" in f["message"] and "[migrated alembic.ini" in f["message"]
               for f in items["SD-05"]["findings"])


@pytest.mark.needs_postgres
def test_a_history_that_fails_part_way_leaves_the_items_unknown(tmp_path, audit, monkeypatch, postgres_admin_url):
    mig = tmp_path / "db" / "migrations"
    mig.mkdir(parents=True)
    # a keyless table: judged half-built, it would fail SD-03 for what a later file may have fixed
    (mig / "000001_a.up.sql").write_text("CREATE TABLE a (id bigint, created_at timestamptz);\n")
    (mig / "000001_a.down.sql").write_text("DROP TABLE a;\n")
    (mig / "000002_b.up.sql").write_text("ALTER TABLE missing ADD COLUMN x int;\n")
    (mig / "000002_b.down.sql").write_text("SELECT 1;\n")
    monkeypatch.setenv("DBAUDIT_THROWAWAY_POSTGRESQL", postgres_admin_url)
    run = audit("--dbaudit-repo", str(tmp_path), "--dbaudit-no-containers", "-k", "drill and SD-03")
    item = _by_item(run, "drill-postgresql")["SD-03"]
    assert item["outcome"] == "unknown"
    assert "000002_b.up.sql: the upgrade failed: UndefinedTable" in item["reason"]
    # too big to read (Repository's 1 MB limit): not built, never taken for "nothing to run"
    (mig / "000002_b.up.sql").write_text("-- " + "x" * 1_100_000 + "\nCREATE TABLE b (id bigint);\n")
    run = audit("--dbaudit-repo", str(tmp_path), "--dbaudit-no-containers", "-k", "drill and SD-03")
    item = _by_item(run, "drill-postgresql")["SD-03"]
    assert item["outcome"] == "unknown" and "000002_b.up.sql: could not be read" in item["reason"], item


def test_no_migration_history_is_not_applicable(tmp_path, audit):
    (tmp_path / "schema.sql").write_text("CREATE TABLE a (id bigint);\n")
    run = audit("--dbaudit-repo", str(tmp_path), "--dbaudit-no-containers", "--dbaudit-drill-engine", "sqlite",
                "-k", "drill and SD-03")
    item = _by_item(run, "drill-sqlite")["SD-03"]
    assert item["outcome"] == "not-applicable" and "no migration history" in item["reason"]
