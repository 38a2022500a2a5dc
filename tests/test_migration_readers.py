"""The migrations model for Alembic, Django, Prisma, Flyway, golang-migrate, dbmate and goose, and the history
rules (MG-02, MG-04, MG-06, MG-07) on fixture histories of every tool with known defects and their clean twins."""

from pathlib import Path

import pytest

from conftest import write
from pytest_dbaudit.audit import Audit, Options
from pytest_dbaudit.sources.migrations import Down, migrations_of
from pytest_dbaudit.sources.walk import Repository
from pytest_dbaudit.targets import REPO

DATA = Path(__file__).parent / "data" / "migrations"


def model(path: Path):
    return migrations_of(Repository(path)).histories


def rule(rule_id: str, path: Path):
    audit = Audit(Options(repo=path, rootdir=path, containers=False))
    result, _ = audit.run(audit.catalog.items[rule_id], "static", REPO)
    return result


def downs(history) -> dict[str, str]:
    return {r.id: r.down.value for r in history.ordered()}


def test_alembic_defects():
    (h,) = model(DATA / "alembic" / "defects")
    assert (h.tool, h.root, h.config) == ("Alembic", "migrations/versions", "alembic.ini[alembic]")
    assert [(r.id, r.parents) for r in h.ordered()] == [("a1", ()), ("b2", ("a1",)), ("c3", ("b2",)), ("d4", ("b2",))]
    assert sorted(r.id for r in h.heads()) == ["c3", "d4"]
    assert downs(h) == {"a1": "ok", "b2": "missing", "c3": "empty", "d4": "raises"}
    assert h.by_id()["d4"].down_detail == "downgrade() raises NotImplementedError"
    assert [str(p) for p in h.problems] == ["migrations/versions/e5_broken.py:4: syntax error: invalid syntax"]
    assert h.by_id()["b2"].up_sql == "CREATE INDEX customer_email ON customer (email);"


def test_django_defects():
    (h,) = model(DATA / "django" / "defects")
    assert (h.tool, h.root) == ("Django", "shop/migrations")
    assert sorted(r.id for r in h.heads()) == ["shop.0003_note", "shop.0003_status"]
    assert downs(h)["shop.0002_backfill"] == "irreversible"
    assert h.by_id()["shop.0002_backfill"].down_detail == "RunPython at line 9 has no reverse_code"
    assert h.by_id()["shop.0002_backfill"].data_change and h.by_id()["shop.0002_backfill"].schema_change
    assert downs(h)["shop.0003_status"] == "irreversible"  # RunSQL without reverse_sql
    assert [str(p) for p in h.problems] == ["shop/migrations/0004_broken.py:2: syntax error: expected ':'"]


def test_prisma_flyway_golang_defects():
    (prisma,) = model(DATA / "prisma" / "defects")
    assert (prisma.dialect, prisma.has_down_migrations) == ("postgresql", False)
    assert set(downs(prisma).values()) == {"not-supported"}
    assert [p.message for p in prisma.problems] == [
        "duplicate timestamp (20260201120000,) (also prisma/migrations/20260201120000_email_index/migration.sql)"]
    (flyway,) = model(DATA / "flyway" / "defects")
    assert flyway.has_down_migrations  # undo scripts are in use, so a missing one is a defect
    assert downs(flyway) == {"V1__create_account": "ok", "V2__account_email_index": "missing",
                             "V3__account_name": "empty", "V3__account_phone": "empty"}
    assert [p.message for p in flyway.problems] == [
        "duplicate version (3,) (also src/main/resources/db/migration/V3__account_name.sql)"]
    (golang,) = model(DATA / "golang-migrate" / "defects")
    assert downs(golang) == {"1_create_item": "ok", "2_item_sku_index": "missing", "3_item_price": "empty",
                             "3_item_stock": "ok"}
    assert golang.by_id()["2_item_sku_index"].up_sql == "CREATE INDEX item_sku ON item (sku);\n"


@pytest.mark.parametrize("tool", ["alembic", "django", "prisma", "flyway", "golang-migrate", "rails", "liquibase",
                                  "knex", "sequelize", "typeorm"])
def test_clean_twins_have_no_problem_and_pass(tool):
    (h,) = model(DATA / tool / "clean")
    assert h.problems == [] and len(h.heads()) == 1
    assert all(r.down in (Down.OK, Down.NOT_SUPPORTED) for r in h.revisions), downs(h)
    for rule_id in ("MG-02", "MG-06", "MG-07"):
        result = rule(rule_id, DATA / tool / "clean")
        assert result.outcome.value == "pass", (rule_id, result.reason, [f.message for f in result.findings])
    mg04 = rule("MG-04", DATA / tool / "clean")
    if tool == "prisma":  # no down migrations by design: one undecided item, not a finding per file
        assert mg04.outcome.value == "unknown" and "Prisma Migrate" in mg04.reason and not mg04.findings
    else:
        assert mg04.outcome.value == "pass"


@pytest.mark.parametrize("tool, mg02, mg04, unsafe", [
    ("alembic", 2, 3, "migrations/versions/b2_email_index.py:5"), ("django", 2, 2, "shop/migrations/0003_status.py:1"),
    ("prisma", 1, 0, "prisma/migrations/20260201120000_email_index/migration.sql:1"),
    ("flyway", 1, 3, "src/main/resources/db/migration/V2__account_email_index.sql:1"),
    ("golang-migrate", 1, 2, "db/migrations/000002_item_sku_index.up.sql:1"),
    ("rails", 2, 3, "db/migrate/20240102090000_add_email_index_to_users.rb:1"),
    ("knex", 2, 2, "db/migrations/20240102090000_add_users_email_index.js:1"),
    ("sequelize", 2, 2, "database/migrations/20240102090000-add-users-email-index.js:1"),
    ("typeorm", 2, 2, "src/migrations/1704200000000-AddUsersEmailIndex.ts:1"),
    ("liquibase", 2, 2, "src/main/resources/db/changelog/sql/004-order-indexes.sql:1")])
def test_every_defect_is_found(tool, mg02, mg04, unsafe):
    assert len(rule("MG-02", DATA / tool / "defects").findings) == mg02
    result = rule("MG-04", DATA / tool / "defects")
    assert len(result.findings) == mg04, [f.message for f in result.findings]
    mg06 = rule("MG-06", DATA / tool / "defects")
    assert any(f.location == unsafe and "require-concurrent-index-creation" in f.message for f in mg06.findings), \
        [(f.location, f.message) for f in mg06.findings]


def test_alembic_sections_locations_and_merges(tmp_path):
    rev = "revision = {r!r}\ndown_revision = {d!r}\n\ndef upgrade():\n    {u}\n\ndef downgrade():\n    {dn}\n"
    write(tmp_path, {
        "alembic.ini": "[alembic]\nscript_location = db\nversion_locations = %(here)s/db/core %(here)s/db/extra\n\n"
                       "[reporting]\nscript_location = reporting\n\n[alembic:exclude]\nnothing = here\n",
        "db/core/r1.py": rev.format(r="r1", d=None, u="op.create_table('a')", dn="op.drop_table('a')"),
        "db/extra/r2.py": rev.format(r="r2", d="r1", u="op.create_table('b')", dn="op.drop_table('b')"),
        "db/extra/r3.py": rev.format(r="r3", d="r1", u="op.create_table('c')", dn="op.drop_table('c')"),
        # a merge revision: nothing to do either way, and no missing downgrade to report
        "db/extra/r4.py": rev.format(r="r4", d=("r2", "r3"), u="pass", dn="pass"),
        "reporting/versions/x1.py": rev.format(r="x1", d=None, u="op.execute('UPDATE t SET a = 1')", dn="pass"),
        "pyproject.toml": "[tool.alembic]\nscript_location = 'tools/migrations'\n",
        "tools/migrations/versions/t1.py": "revision = 't1'\ndown_revision = 'missing'\n\ndef upgrade():\n"
                                           "    op.add_column('t', 'c')\n",
    })
    histories = {h.config: h for h in model(tmp_path)}
    assert set(histories) == {"alembic.ini[alembic]", "alembic.ini[reporting]", "pyproject.toml[tool.alembic]"}
    main = histories["alembic.ini[alembic]"]
    assert [r.id for r in main.ordered()] == ["r1", "r2", "r3", "r4"] and [r.id for r in main.heads()] == ["r4"]
    tools = histories["pyproject.toml[tool.alembic]"]
    assert [p.message for p in tools.problems] == ["revision t1 names a parent missing that does not exist"]
    mg04 = {f.location: f.message for f in rule("MG-04", tmp_path).findings}
    assert mg04 == {"reporting/versions/x1.py:1": "Alembic revision x1: downgrade() does nothing",
                    "tools/migrations/versions/t1.py:1": "Alembic revision t1: no downgrade() function"}


def test_dbmate_goose_and_gaps(tmp_path):
    write(tmp_path, {
        "db/migrations/20260101000000_users.sql": "-- migrate:up\nCREATE TABLE users (id bigint);\n\n-- migrate:down\n"
                                                  "DROP TABLE users;\n",
        "db/migrations/20260102000000_email.sql": "-- migrate:up\nALTER TABLE users ADD COLUMN email text;\n\n"
                                                  "-- migrate:down\n",
        "sql/migrations/00001_a.sql": "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n",
        "sql/migrations/00002_b.sql": "-- +goose Up\nCREATE TABLE b (id int);\n-- +goose Down\nDROP TABLE b;\n",
        "sql/migrations/00004_d.sql": "-- +goose Up\nCREATE TABLE d (id int);\n",
    })
    histories = {h.tool: h for h in model(tmp_path)}
    assert downs(histories["dbmate"]) == {"20260101000000_users": "ok", "20260102000000_email": "empty"}
    assert downs(histories["goose"]) == {"00001_a": "ok", "00002_b": "ok", "00004_d": "missing"}
    gaps = [f.message for f in rule("MG-02", tmp_path).findings]
    assert gaps == ["goose sql/migrations: numbers missing from the sequence: 3"]


def test_unreadable_revision_files_are_problems_not_crashes(tmp_path):
    write(tmp_path, {"alembic.ini": "[alembic]\nscript_location = m\n", "m/versions/ok.py": "revision = 'a'\n"
                     "down_revision = None\n\ndef upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
                     "m/versions/notarev.py": "x = 1\n", "app/migrations/0001_x.py": "class Migration(:\n"})
    (tmp_path / "m" / "versions" / "bin.py").write_bytes(b"\x00\x01\x02revision")
    (tmp_path / "m" / "versions" / "latin.py").write_bytes("revision = 'é'\n".encode("latin-1"))
    problems = sorted(str(p) for h in model(tmp_path) for p in h.problems)
    assert "m/versions/notarev.py: no literal revision = '...' (not an Alembic revision file?)" in problems
    assert any(p.startswith("app/migrations/0001_x.py") for p in problems)
    assert rule("MG-02", tmp_path).outcome.value == "fail"


def test_revisions_added_out_of_order_in_git(tmp_path):
    import subprocess

    def git(*args, date="2026-03-01T00:00:00"):
        env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
               "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True, env=env)

    git("init", "-q")
    up = "CREATE TABLE IF NOT EXISTS t{n} (id bigint);\n"
    write(tmp_path, {"go.mod": "module x\n\nrequire github.com/golang-migrate/migrate/v4 v4.17.0\n",
                     "db/migrations/20260101_a.up.sql": up.format(n=1), "db/migrations/20260101_a.down.sql": "DROP TABLE t1;\n",
                     "db/migrations/20260301_c.up.sql": up.format(n=3), "db/migrations/20260301_c.down.sql": "DROP TABLE t3;\n"})
    git("add", "-A")
    git("commit", "-qm", "first")
    # a branch merged later brings a migration dated before the one already deployed
    write(tmp_path, {"db/migrations/20260201_b.up.sql": up.format(n=2), "db/migrations/20260201_b.down.sql": "DROP TABLE t2;\n"})
    git("add", "-A")
    git("commit", "-qm", "second", date="2026-03-05T00:00:00")
    (f,) = [f for f in rule("MG-02", tmp_path).findings]
    assert f.location == "db/migrations/20260201_b.up.sql:1"
    assert f.message.endswith("20260201_b was added after 20260301_c but sorts before it: databases that already "
                              "ran 20260301_c skip or refuse it")


def test_rules_switched_off_by_config_must_exist(tmp_path):
    import shutil

    shutil.copytree(DATA / "knex" / "clean", tmp_path / "repo")
    (tmp_path / "repo" / "dbaudit.yaml").write_text('thresholds:\n  MG-06: {disabled_rules: "require-lock-timeuot"}\n')
    result = rule("MG-06", tmp_path / "repo")
    assert result.outcome.value == "unknown"
    assert "disabled_rules names rules that do not exist: require-lock-timeuot" in result.reason


def test_sqlfluff_style_rules_are_opt_in(tmp_path):
    import shutil

    shutil.copytree(DATA / "golang-migrate" / "clean", tmp_path / "repo")
    assert rule("MG-06", tmp_path / "repo").outcome.value == "pass"  # off by default
    (tmp_path / "repo" / "dbaudit.yaml").write_text('thresholds:\n  MG-06: {sqlfluff_rules: "CP01"}\n')
    (tmp_path / "repo" / "db" / "migrations" / "000003_item_price.up.sql").write_text(
        "SET lock_timeout = '5s';\nSET statement_timeout = '15min';\nalter TABLE item ADD COLUMN IF NOT EXISTS price numeric;\n")
    result = rule("MG-06", tmp_path / "repo")
    assert result.outcome.value == "fail"
    (f,) = result.findings
    assert (f.location, f.severity) == ("db/migrations/000003_item_price.up.sql:3", "Low")
    assert f.message.startswith("sqlfluff CP01: Keywords must be consistently")


def test_prisma_models_read_like_prisma_does():
    from pytest_dbaudit.sources.migrations.prisma_schema import declared_tables, migrated_tables

    schema = """
    model User {
      id    BigInt  @id @default(autoincrement())
      email String  // a comment
      name  String? @map("full_name")
      role  Role
      posts Post[]
      @@index([email])
    }
    model Post {
      id       Int      @id
      author   User     @relation(fields: [authorId], references: [id])
      authorId BigInt
      tags     String[]
      @@map("posts")
    }
    enum Role {
      ADMIN
      USER
    }
    """
    assert declared_tables([schema]) == {"User": {"id", "email", "full_name", "role"},
                                         "posts": {"id", "authorId", "tags"}}
    built, problems = migrated_tables([
        'CREATE TABLE "User" ("id" BIGSERIAL, "email" TEXT, "name" TEXT, "role" TEXT, "old" INT);',
        'ALTER TABLE "User" RENAME COLUMN "name" TO "full_name"; ALTER TABLE "User" DROP COLUMN "old";',
        'CREATE TABLE "Post" (id int, "authorId" bigint, tags text[]); ALTER TABLE "Post" RENAME TO posts;',
        "CREATE TABLE scratch (id int); DROP TABLE scratch;", "NOT SQL AT ALL"])
    assert built == {"User": {"id", "email", "full_name", "role"}, "posts": {"id", "authorId", "tags"}}
    assert len(problems) == 1  # the unparsable migration is reported, not guessed


def test_django_models_against_migrations(tmp_path):
    import shutil

    shutil.copytree(DATA / "django" / "clean", tmp_path / "repo")
    assert rule("MG-09", tmp_path / "repo").outcome.value == "pass"
    (tmp_path / "repo" / "shop" / "models.py").write_text(
        "from django.db import models\nfrom elsewhere import AuditMixin\n\n\n"
        "class Order(models.Model):\n    total = models.DecimalField(max_digits=12, decimal_places=2)\n"
        "    currency = models.CharField(max_length=3)\n    tracking = models.CharField(max_length=40)\n\n\n"
        "class Refund(models.Model):\n    amount = models.DecimalField(max_digits=12, decimal_places=2)\n\n\n"
        "class Audited(AuditMixin, models.Model):\n    what = models.TextField()\n")
    result = rule("MG-09", tmp_path / "repo")
    assert sorted(f.message for f in result.findings) == [
        "shop.order: fields without a migration: tracking; migrated fields no longer declared: note",
        "shop: model refund has no migration (makemigrations would create one)"]
    assert any("model Audited not compared" in e for e in result.evidence)
