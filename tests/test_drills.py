"""The Alembic round-trip drill on real throwaway databases: local servers, containers, SQLite."""

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import DATA, EXAMPLES, write

ALEMBIC = DATA / "alembic"
LABEL = "io.pytest-dbaudit.owner=pytest-dbaudit"


def local_config(pytester, pg, mariadb):
    write(pytester.path, {"drill.yaml": f"throwaway:\n  containers: false\n  postgresql: {pg}\n  mariadb: {mariadb}\n"})
    return f"--dbaudit-config={pytester.path / 'drill.yaml'}"


@pytest.mark.parametrize("engine", ["postgresql", "mariadb", "sqlite"])
def test_broken_downgrade_names_the_revision(pytester, audit, engine, postgres_admin_url, mariadb_admin_url):
    cfg = local_config(pytester, postgres_admin_url, mariadb_admin_url)
    run = audit("--dbaudit-repo", str(ALEMBIC / "broken_downgrade"), cfg, "--dbaudit-drill-engine", engine, "-k", "MG-04")
    assert run.outcome(f"MG-04[drill-{engine}]") == "fail"
    finding = run.item(f"MG-04[drill-{engine}]")["findings"][0]
    assert finding["location"] == "migrations/versions/b2_invoices.py"
    assert finding["message"].startswith(f"downgrade of revision b2 failed on {engine}:")
    assert "DROP TABLE invoice" in finding["message"]  # the SQL that failed
    evidence = " ".join(run.item(f"MG-04[drill-{engine}]")["evidence"])
    assert "upgrade base -> c3 (3 revisions)" in evidence


def test_downgrade_that_does_nothing_is_caught_by_the_schema_comparison(pytester, audit, postgres_admin_url,
                                                                         mariadb_admin_url):
    cfg = local_config(pytester, postgres_admin_url, mariadb_admin_url)
    run = audit("--dbaudit-repo", str(ALEMBIC / "noop_downgrade"), cfg, "--dbaudit-drill-engine", "postgresql",
                "-k", "MG-04")
    finding = run.item("MG-04[drill-postgresql]")["findings"][0]
    assert finding["message"] == "downgrade of revision b2 failed on postgresql: table invoices left behind"


def test_reversible_history_passes_and_leaves_nothing_behind(pytester, audit, postgres_admin_url, mariadb_admin_url):
    import sqlalchemy as sa

    cfg = local_config(pytester, postgres_admin_url, mariadb_admin_url)
    run = audit("--dbaudit-repo", str(EXAMPLES / "mature_shop"), cfg, "--dbaudit-drill-engine", "postgresql",
                "--dbaudit-drill-engine", "mariadb", "-k", "MG-04")
    assert run.outcome("MG-04[drill-postgresql]") == "pass"
    assert run.outcome("MG-04[drill-mariadb]") == "pass"
    # every database the drills created was dropped again (the template included)
    engine = sa.create_engine(postgres_admin_url)
    with engine.connect() as conn:
        left = conn.exec_driver_sql("SELECT datname FROM pg_database WHERE datname LIKE 'dbaudit\\_%%\\_%%'").all()
    engine.dispose()
    # dbaudit_<pid>_...: another run on this server (a parallel test worker) may still hold its own
    leftover = [name for (name,) in left if not name.startswith("dbaudit_test_")
                and not _alive(name.split("_")[1])]
    assert leftover == []


def test_no_server_means_not_applicable_with_the_reason(pytester, audit):
    write(pytester.path, {"drill.yaml": "throwaway:\n  containers: false\n"})
    run = audit("--dbaudit-repo", str(ALEMBIC / "broken_downgrade"), f"--dbaudit-config={pytester.path / 'drill.yaml'}",
                "--dbaudit-drill-engine", "postgresql", "-k", "MG-04")
    item = run.item("MG-04[drill-postgresql]")
    assert item["outcome"] == "not-applicable"
    assert "no throwaway postgresql database: containers are switched off; no server configured" in item["reason"]


def test_repository_without_alembic_is_not_applicable(pytester, audit):
    run = audit("--dbaudit-repo", str(EXAMPLES / "legacy_inventory"), "-k", "MG-04", "--dbaudit-no-containers")
    assert run.item("MG-04[drill-postgresql]")["outcome"] == "not-applicable"


# -- containers --------------------------------------------------------------------------------------

def _our_containers() -> list[str]:
    out = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={LABEL}"], capture_output=True, text=True)
    return out.stdout.split()


def _container_env(images):
    env = dict(os.environ)
    env.update(DBAUDIT_POSTGRES_IMAGE=images["postgresql"], DBAUDIT_MARIADB_IMAGE=images["mariadb"],
               TESTCONTAINERS_RYUK_DISABLED="true")
    return env


@pytest.mark.slow
@pytest.mark.xdist_group("docker")  # these two count our containers: keep them on one worker
def test_drill_in_containers_catches_broken_downgrade(pytester, audit, docker_images, monkeypatch):
    monkeypatch.setenv("DBAUDIT_POSTGRES_IMAGE", docker_images["postgresql"])
    monkeypatch.setenv("DBAUDIT_MARIADB_IMAGE", docker_images["mariadb"])
    before = set(_our_containers())
    run = audit("--dbaudit-repo", str(ALEMBIC / "broken_downgrade"), "--dbaudit-drill-engine", "postgresql",
                "--dbaudit-drill-engine", "mariadb", "-k", "MG-04", timeout=600)
    for engine in ("postgresql", "mariadb"):
        item = run.item(f"MG-04[drill-{engine}]")
        assert item["outcome"] == "fail", item
        assert item["findings"][0]["message"].startswith(f"downgrade of revision b2 failed on {engine}:")
        assert any(f"container {docker_images[engine]}" in e for e in item["evidence"]), item["evidence"]
    # Removed at the end of the run. Other processes on this host (a parallel test run) may start and
    # remove their own meanwhile, so only containers whose owning process has exited count.
    left = _left_behind(before)
    assert left == [], ([_describe(c) for c in left], [line for line in run.text.splitlines() if "container" in line])


@pytest.mark.slow
@pytest.mark.xdist_group("docker")
def test_throwaway_containers_do_not_flush_to_disk(docker_images, monkeypatch):
    """Their databases are thrown away, so durability is off: a DDL-heavy drill does not wait for the disk."""
    import sqlalchemy as sa

    from pytest_dbaudit.targets import driver_url
    from pytest_dbaudit.throwaway import ThrowawayProvider

    monkeypatch.setenv("DBAUDIT_POSTGRES_IMAGE", docker_images["postgresql"])
    monkeypatch.setenv("DBAUDIT_MARIADB_IMAGE", docker_images["mariadb"])
    provider = ThrowawayProvider({"containers": True, "images": {}}, use_containers=True, live_servers={},
                                 destructive=False)
    queries = {"postgresql": "SELECT current_setting('fsync'), current_setting('full_page_writes')",
               "mariadb": "SELECT @@innodb_flush_log_at_trx_commit, @@innodb_doublewrite, @@log_bin"}
    expected = {"postgresql": ("off", "off"), "mariadb": (0, 0, 0)}
    try:
        for engine, sql in queries.items():
            db = provider.create(engine)
            assert db.source.startswith("container"), db.source
            eng = sa.create_engine(driver_url(db.url))
            with eng.connect() as conn:
                assert tuple(conn.exec_driver_sql(sql).one()) == expected[engine], engine
            eng.dispose()
            provider.drop(db)
    finally:
        provider.close()


SLOW_HISTORY = {
    "alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite://\n",
    "migrations/env.py": (ALEMBIC / "broken_downgrade" / "migrations" / "env.py").read_text(),
    "migrations/versions/s1_slow.py": (
        "from alembic import op\nrevision = 's1'\ndown_revision = None\n\n"
        "def upgrade():\n    op.execute('SELECT pg_sleep(120)')\n\ndef downgrade():\n    pass\n"),
}


def _start_slow_run(path, images):
    write(path, SLOW_HISTORY)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "--dbaudit", "--dbaudit-only", "-p", "no:cacheprovider", "-k", "MG-04",
         "--dbaudit-drill-engine", "postgresql", "--dbaudit-repo", str(path), str(path)],
        cwd=path, env=_container_env(images), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        mine = [c for c in _our_containers() if _pid_of(c) == str(proc.pid)]
        if mine:
            return proc, mine[0]
        if proc.poll() is not None:
            pytest.fail(f"run ended before its container started: {proc.stdout.read()[-2000:]}")
        time.sleep(0.5)
    proc.kill()
    pytest.fail("no container appeared within 180 s")


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _settled(read, wait_s: float = 60):
    """``read()`` until it gives something empty, for at most ``wait_s``; its last value. Docker may still be
    deleting a removed container's files after the call that removed it returned (state "removing", seen
    with the vfs storage driver on a busy machine), so a container gets that long to go."""
    deadline = time.monotonic() + wait_s
    while True:
        value = read()
        if not value or time.monotonic() > deadline:
            return value
        time.sleep(1)


def _left_behind(before: set[str]) -> list[str]:
    """Our containers not in ``before`` whose owning process has exited (one listed and then removed before
    the inspect is gone, not left)."""
    return _settled(lambda: [c for c in set(_our_containers()) - before
                             if (pid := _pid_of(c)) is not None and not _alive(pid)])


def _gone(container: str) -> bool:
    return not _settled(lambda: container in _our_containers())


def _describe(container: str) -> str:
    out = subprocess.run(["docker", "inspect", "-f", "{{.Config.Image}} {{.State.Status}} created {{.Created}} "
                          "{{json .Config.Labels}}", container], capture_output=True, text=True)
    return f"{container}: {out.stdout.strip() or out.stderr.strip()}"


def _pid_of(container: str) -> str | None:
    """The pid label of a container; None when it no longer exists (its owner removed it after it was listed)."""
    out = subprocess.run(["docker", "inspect", "-f", '{{ index .Config.Labels "io.pytest-dbaudit.pid" }}', container],
                         capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


@pytest.mark.slow
@pytest.mark.xdist_group("docker")
def test_containers_removed_after_sigterm_and_after_kill(tmp_path, docker_images, pytester):
    # SIGTERM: pytest unwinds and removes the container itself.
    proc, container = _start_slow_run(tmp_path / "a", docker_images)
    time.sleep(2)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)
    assert _gone(container), _describe(container)

    # kill -9: nothing can clean up in that process; the next run removes the orphan.
    proc, container = _start_slow_run(tmp_path / "b", docker_images)
    proc.kill()
    proc.wait(timeout=60)
    assert container in _our_containers()
    write(tmp_path / "c", {"placeholder.txt": ""})
    next_run = subprocess.run(
        [sys.executable, "-m", "pytest", "--dbaudit", "--dbaudit-only", "-p", "no:cacheprovider", "-k", "MG-04",
         "--dbaudit-drill-engine", "postgresql", "--dbaudit-repo", str(ALEMBIC / "broken_downgrade"),
         str(tmp_path / "c")],
        cwd=tmp_path / "c", env=_container_env(docker_images), capture_output=True, text=True, timeout=300)
    assert "downgrade of revision b2" in next_run.stdout, next_run.stdout[-3000:]
    assert _gone(container), _describe(container)


@pytest.mark.needs_postgres
def test_drills_use_the_given_server_only_when_allowed(pytester, audit, scratch_pg, monkeypatch):
    """--dbaudit-db names a database to read; drills create databases beside it only with
    --dbaudit-allow-destructive, and never write to the given database itself."""
    import sqlalchemy as sa

    from pytest_dbaudit.targets import driver_url

    admin, url, name = scratch_pg
    monkeypatch.delenv("DBAUDIT_THROWAWAY_POSTGRESQL", raising=False)
    write(pytester.path, {"drill.yaml": "throwaway:\n  containers: false\n"})
    args = ("--dbaudit-repo", str(EXAMPLES / "mature_shop"), f"--dbaudit-config={pytester.path / 'drill.yaml'}",
            "--dbaudit-db", url, "--dbaudit-drill-engine", "postgresql", "-k", "MG-04 and drill")
    item = audit(*args).item("MG-04[drill-postgresql]")
    assert item["outcome"] == "not-applicable"  # as with no server at all, with the way to allow it
    assert "is used for drills only with --dbaudit-allow-destructive" in item["reason"]
    run = audit(*args, "--dbaudit-allow-destructive")
    assert run.outcome("MG-04[drill-postgresql]") == "pass"
    assert any("(--dbaudit-allow-destructive)" in e for e in run.item("MG-04[drill-postgresql]")["evidence"])
    engine = sa.create_engine(driver_url(url))
    with engine.connect() as conn:  # the given database is as empty as it was
        tables = conn.exec_driver_sql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").scalar()
    engine.dispose()
    assert tables == 0


DRIFT_ENV = '''
from alembic import context
from sqlalchemy import BigInteger, Column, MetaData, Table, Text, engine_from_config, pool

config = context.config
target_metadata = {metadata}


def run_migrations_online():
    engine = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
'''
DRIFT_METADATA = '''MetaData()
Table("customer", target_metadata, Column("id", BigInteger, primary_key=True), Column("email", Text),
      Column("name", Text), Column("phone", Text), Column("loyalty", Text))'''


@pytest.mark.parametrize("metadata, outcome", [(DRIFT_METADATA, "fail"), ("None", "unknown")])
def test_models_against_migrations(pytester, audit, postgres_admin_url, mariadb_admin_url, metadata, outcome):
    import shutil

    repo = pytester.path / "repo"
    shutil.copytree(DATA / "migrations" / "alembic" / "clean", repo)
    (repo / "migrations" / "env.py").write_text(DRIFT_ENV.format(metadata=metadata))
    cfg = local_config(pytester, postgres_admin_url, mariadb_admin_url)
    item = audit("--dbaudit-repo", str(repo), cfg, "--dbaudit-drill-engine", "postgresql", "-k", "MG-09").item(
        "MG-09[drill-postgresql]")
    assert item["outcome"] == outcome
    if outcome == "fail":  # a model column no migration adds, and a migration index the models lack
        assert item["findings"][0]["message"] == ("the models and the migrations differ on postgresql: "
                                                  "add_column customer.loyalty; remove_index customer_email on customer")
    else:
        assert "env.py sets no target_metadata" in item["reason"]
    assert not list(repo.rglob("*dbaudit_drift_check*"))  # the would-be revision file is never written


def test_models_match_migrations_in_the_mature_example(pytester, audit, postgres_admin_url, mariadb_admin_url):
    cfg = local_config(pytester, postgres_admin_url, mariadb_admin_url)
    run = audit("--dbaudit-repo", str(EXAMPLES / "mature_shop"), cfg, "--dbaudit-drill-engine", "postgresql",
                "-k", "MG-09")
    assert run.outcome("MG-09[drill-postgresql]") == "pass"


def _branched(tmp, leak: bool):
    rev = ("from alembic import op\nimport sqlalchemy as sa\nrevision = {r!r}\ndown_revision = {d!r}\n\n"
           "def upgrade():\n    {u}\n\ndef downgrade():\n    {dn}\n")
    files = {
        "alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite://\n",
        "migrations/env.py": (ALEMBIC / "broken_downgrade" / "migrations" / "env.py").read_text(),
        "migrations/versions/a1.py": rev.format(r="a1", d=None, u="op.create_table('t', sa.Column('id', sa.Integer, primary_key=True), sa.Column('x', sa.Integer), sa.Column('y', sa.Integer))", dn="op.drop_table('t')"),
        # two branches from a1, merged by m4; d5 is a second head on the c3 branch
        "migrations/versions/b2.py": rev.format(r="b2", d="a1", u="op.create_index('ix_t_x', 't', ['x'])", dn="op.drop_index('ix_t_x', table_name='t')"),
        "migrations/versions/c3.py": rev.format(r="c3", d="a1", u="op.create_index('ix_t_y', 't', ['y'])",
                                                dn="pass" if leak else "op.drop_index('ix_t_y', table_name='t')"),
        "migrations/versions/m4.py": rev.format(r="m4", d=("b2", "c3"), u="pass", dn="pass"),
        "migrations/versions/d5.py": rev.format(r="d5", d="c3", u="op.create_table('u', sa.Column('id', sa.Integer, primary_key=True))", dn="op.drop_table('u')"),
    }
    write(tmp, files)


@pytest.mark.parametrize("engine", ["postgresql", "sqlite"])
@pytest.mark.parametrize("leak", [False, True])
def test_branched_history_revision_by_revision(pytester, audit, postgres_admin_url, mariadb_admin_url, engine, leak):
    _branched(pytester.path / "repo", leak)
    cfg = local_config(pytester, postgres_admin_url, mariadb_admin_url)
    item = audit("--dbaudit-repo", str(pytester.path / "repo"), cfg, "--dbaudit-drill-engine", engine,
                 "-k", "MG-04 and drill").item(f"MG-04[drill-{engine}]")
    if not leak:
        assert item["outcome"] == "pass", item
        assert any("one revision at a time (5 revisions, branched)" in e for e in item["evidence"]), item["evidence"]
    else:  # the c3 downgrade leaves its index behind; undoing d5 or b2 never took c3 down with it
        assert item["outcome"] == "fail"
        assert item["findings"][0]["message"] == f"downgrade of revision c3 failed on {engine}: index ix_t_y (y) on t left behind"


# -- the walk: one env.py run, failures that do not end it, seeded mode ------------------------------

REV = ("import sqlalchemy as sa\nfrom alembic import op\n\nrevision = {r!r}\ndown_revision = {d!r}\n\n\n"
       "def upgrade():\n    {u}\n\n\ndef downgrade():\n    {dn}\n")
ENV_ONE_TRANSACTION = (ALEMBIC / "broken_downgrade" / "migrations" / "env.py").read_text().replace(
    ", transaction_per_migration=True", "")


def _history(tmp, revisions: list[tuple], env: str | None = None) -> str:
    """``revisions``: (id, parent, upgrade, downgrade), one statement each; returns the repository's path."""
    files = {"alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = sqlite://\n",
             "migrations/env.py": env or (ALEMBIC / "broken_downgrade" / "migrations" / "env.py").read_text()}
    for rev, parent, up, down in revisions:
        files[f"migrations/versions/{rev}.py"] = REV.format(r=rev, d=parent, u=up, dn=down)
    write(tmp, files)
    return str(tmp)


TWO_BAD_DOWNGRADES = [
    ("a1", None, "op.create_table('t', sa.Column('id', sa.Integer, primary_key=True), sa.Column('x', sa.Integer))",
     "op.drop_table('t')"),
    ("b2", "a1", "op.add_column('t', sa.Column('y', sa.Integer))", "op.drop_column('t', 'yy')"),  # raises
    ("c3", "b2", "op.create_index('ix_t_x', 't', ['x'])", "pass"),  # leaves its index behind
    ("d4", "c3", "op.add_column('t', sa.Column('z', sa.Integer))", "op.drop_column('t', 'z')"),
]


@pytest.mark.parametrize("engine, env", [("postgresql", "per-migration"), ("postgresql", "one transaction"),
                                         ("mariadb", "per-migration")])
def test_the_walk_goes_on_after_a_failed_downgrade(pytester, audit, postgres_admin_url, mariadb_admin_url, engine,
                                                   env):
    """A downgrade that raises and one that leaves an index behind: both reported by revision. Where DDL is
    transactional the failed revision is undone and the walk goes on to the end; on MariaDB it goes on
    after the raising downgrade and ends at the schema difference, which nothing can undo there."""
    repo = _history(pytester.path / "repo", TWO_BAD_DOWNGRADES, ENV_ONE_TRANSACTION if env == "one transaction"
                    else None)
    item = audit("--dbaudit-repo", repo, local_config(pytester, postgres_admin_url, mariadb_admin_url),
                 "--dbaudit-drill-engine", engine, "-k", "MG-04 and drill").item(f"MG-04[drill-{engine}]")
    messages = {f["location"]: f["message"] for f in item["findings"]}
    assert set(messages) == {"migrations/versions/b2.py", "migrations/versions/c3.py"}, messages
    assert messages["migrations/versions/b2.py"].startswith(f"downgrade of revision b2 failed on {engine}: ")
    assert "yy" in messages["migrations/versions/b2.py"]
    assert messages["migrations/versions/c3.py"] == (
        f"downgrade of revision c3 failed on {engine}: index ix_t_x (x) on t left behind")
    walked_to_the_end = any("upgrade base -> d4 (4 revisions)" in e for e in item["evidence"])
    assert walked_to_the_end == (engine == "postgresql"), item["evidence"]


def test_seeded_mode_walks_branched_histories(pytester, audit, postgres_admin_url):
    import re

    _branched(pytester.path / "repo", leak=False)
    write(pytester.path, {"drill.yaml": f"throwaway:\n  containers: false\n  postgresql: {postgres_admin_url}\n"
                                        "drills: {seed_rows: 3}\n"})
    item = audit("--dbaudit-repo", str(pytester.path / "repo"), f"--dbaudit-config={pytester.path / 'drill.yaml'}",
                 "--dbaudit-drill-engine", "postgresql", "-k", "MG-04 and drill").item("MG-04[drill-postgresql]")
    assert item["outcome"] == "pass", item
    evidence = " ".join(item["evidence"])
    assert "one revision at a time (5 revisions, branched)" in evidence
    assert re.search(r"seeded 3 row\(s\) per table before each upgrade: [1-9]\d* row\(s\)", evidence), evidence


NOT_NULL_WITHOUT_DEFAULT = [
    ("a1", None, ("op.create_table('account', sa.Column('id', sa.Integer, primary_key=True), "
                  "sa.Column('email', sa.String(200)))"), "op.drop_table('account')"),
    ("b2", "a1", "op.add_column('account', sa.Column('plan', sa.String(20), nullable=False))",
     "op.drop_column('account', 'plan')"),
]


@pytest.mark.slow
@pytest.mark.xdist_group("docker")
def test_seeded_not_null_without_default_in_containers(pytester, audit, docker_images, monkeypatch):
    """PostgreSQL refuses the ALTER on a table with rows; MariaDB fills the rows with an implicit default, which
    the seeded drill reports as a finding of its own."""
    monkeypatch.setenv("DBAUDIT_POSTGRES_IMAGE", docker_images["postgresql"])
    monkeypatch.setenv("DBAUDIT_MARIADB_IMAGE", docker_images["mariadb"])
    repo = _history(pytester.path / "repo", NOT_NULL_WITHOUT_DEFAULT)
    write(pytester.path, {"drill.yaml": "drills: {seed_rows: 3}\n"})
    run = audit("--dbaudit-repo", repo, f"--dbaudit-config={pytester.path / 'drill.yaml'}", "--dbaudit-drill-engine",
                "postgresql", "--dbaudit-drill-engine", "mariadb", "-k", "MG-04 and drill", timeout=600)
    mariadb = run.item("MG-04[drill-mariadb]")
    assert any(f"container {docker_images['mariadb']}" in e for e in mariadb["evidence"]), mariadb["evidence"]
    [finding] = mariadb["findings"]
    assert finding["location"] == "migrations/versions/b2.py"
    assert finding["message"] == (
        "upgrade of revision b2 failed on mariadb: column account.plan was added NOT NULL without a default to a "
        "table with rows: MariaDB filled the 3 existing row(s) with its implicit default ('' for strings, 0 for "
        "numbers, a zero date), strict mode or not; PostgreSQL rejects the same ALTER on a table with rows")
    [finding] = run.item("MG-04[drill-postgresql]")["findings"]
    assert finding["message"].startswith(
        "upgrade of revision b2 failed on postgresql: fails on a table with rows (passes on empty tables): "
        "NotNullViolation: column \"plan\" of relation \"account\" contains null values")


# -- the schema reader ------------------------------------------------------------------------------

READER_STEPS = [
    "CREATE TYPE mood AS ENUM ('a', 'b')",
    "CREATE DOMAIN pos AS int CHECK (VALUE > 0)",
    "CREATE TABLE p (id serial PRIMARY KEY, code text UNIQUE, m mood, ms mood[], n pos)",
    "CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p (id), note text)",
    "CREATE INDEX ix_c_note ON c (note)",
    "CREATE INDEX ix_c_expr ON c (lower(note)) WHERE note IS NOT NULL",
    "COMMIT",
    "SELECT 1",  # nothing changed since the read before
    "ALTER INDEX ix_c_note RENAME TO ix_c_note2",
    "ALTER TABLE p RENAME COLUMN id TO pid",  # c's foreign key names it
    "ALTER TABLE p RENAME TO parent",
    "ALTER SEQUENCE p_id_seq RENAME TO parent_seq",  # parent's default names it
    "INSERT INTO parent (code) VALUES ('x')",
    "COMMIT",
    "ALTER TYPE mood RENAME VALUE 'a' TO 'z'",  # columns of it and of arrays of it
    "ALTER TABLE c ALTER COLUMN note SET DEFAULT 'x'",
    "ALTER TABLE c ADD COLUMN g int GENERATED ALWAYS AS (id * 2) STORED",
    "ALTER TABLE c RENAME CONSTRAINT c_pkey TO c_pk",
    "DROP INDEX ix_c_expr",
    "ALTER TABLE c DROP CONSTRAINT c_p_id_fkey",
    "DROP TABLE parent",
    "CREATE TABLE parent (pid int PRIMARY KEY)",
    "ALTER TABLE c ADD CONSTRAINT fk2 FOREIGN KEY (p_id) REFERENCES parent (pid)",
    "CREATE SCHEMA other",
    "ALTER TABLE c SET SCHEMA other",
    "SET LOCAL search_path TO other",
    "RESET search_path",
]


@pytest.mark.needs_postgres
def test_incremental_schema_reads_match_whole_reads(scratch_pg):
    """Within a transaction the reader re-reads only the tables it changed; after each statement that must
    give the same text as reading everything."""
    import sqlalchemy as sa

    from pytest_dbaudit.drills.schema_fingerprint import SchemaReader
    from pytest_dbaudit.targets import driver_url

    _admin, url, _name = scratch_pg
    engine = sa.create_engine(driver_url(url))
    try:
        with engine.connect() as conn:
            reader, reread = SchemaReader(), {}
            for stmt in READER_STEPS:
                if stmt == "COMMIT":
                    conn.commit()
                    reader.committed()
                    continue
                conn.exec_driver_sql(stmt)
                assert reader.read(conn) == SchemaReader().read(conn), stmt
                reread[stmt] = reader.changed
            # tables re-read: none after a commit and nothing since, the index's table, then its parent too
            assert [reread[s] for s in READER_STEPS[7:10]] == [0, 1, 2]
            conn.rollback()
    finally:
        engine.dispose()
