"""Alembic round trip, run in a child process: ``python -m pytest_dbaudit.drills.alembic_runner``.

A child process because env.py is the project's own code: it may import the application, exit,
hang or leave global state behind. Reads a JSON request on stdin, prints one JSON result line.

Every revision, in topological order: upgrade it, downgrade it, compare the schema with the one from
before its upgrade, upgrade it again. One revision at a time, so branches and merges need nothing
special: undoing one revision never takes another branch down with it (sqlalchemy/alembic#464).
env.py runs once for the whole walk: Alembic's migrations function (``_Walk.steps``) is a generator
that yields one step per revision, and that step's migration function runs the three migrations with
the schema reads in between, on the migration's own connection and inside its transaction
(``schema_fingerprint.SchemaReader``: on PostgreSQL only the tables the transaction changed are
read again). Failures are recorded with their revision and the walk goes on where it can (``_Walk``).

Request keys besides ``ini``/``url``: ``seed_rows`` (seeded mode: rows inserted into every table
before each upgrade, see ``seed.py``), ``stop_at`` (``[phase, revision]``: stop with success once
that step passed; the parent's replay without rows), ``progress`` (print ``@@PROGRESS@@`` lines).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Callable
from typing import Any

FILLED_ENGINES = ("mysql", "mariadb")  # ADD COLUMN ... NOT NULL on a table with rows: an implicit default
# Commit between two revisions once the transaction has changed this many tables (see ``_commit``): a
# schema read re-reads every table its transaction changed, and a commit that drops relations waits for
# the disk whatever synchronous_commit says.
COMMIT_AFTER_TABLES = 4


def _error(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip() or type(exc).__name__
    first = text.splitlines()[0][:400]
    stmt = getattr(exc, "statement", None)
    if stmt:
        first += f" [SQL: {' '.join(str(stmt).split())[:400]}]"
    return f"{type(orig if orig is not None else exc).__name__}: {first}"


def _progress(enabled: bool, n: int, total: int, revision: str) -> None:
    if enabled:
        sys.stdout.write("\n@@PROGRESS@@" + json.dumps({"kind": "revision", "n": n, "total": total,
                                                         "revision": revision}) + "\n")
        sys.stdout.flush()


def run(req: dict[str, Any]) -> dict[str, Any]:
    from pytest_dbaudit.drills.alembic_env import import_alembic

    import_alembic()
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from pytest_dbaudit.drills.seed import Seeder

    out: dict[str, Any] = {"ok": False, "steps": [], "failures": []}
    try:
        cfg = Config(req["ini"], ini_section=req.get("section", "alembic"))
        cfg.set_main_option("sqlalchemy.url", req["url"].replace("%", "%%"))
        script = ScriptDirectory.from_config(cfg)
        order = list(reversed(list(script.walk_revisions())))  # topological: parents first
        heads = list(script.get_heads())
    except Exception as exc:
        out["failures"].append({"phase": "load", "revision": None, "error": _error(exc)})
        return out
    out["revisions"] = len(order)
    out["heads"] = heads
    out["linear"] = len(heads) <= 1 and all(not isinstance(r.down_revision, (tuple, list)) for r in order)
    if not order:
        out["ok"] = True
        return out
    seeder = Seeder(int(req["seed_rows"])) if req.get("seed_rows") else None

    def fail(phase: str, rev, exc: BaseException | None = None, detail: list[str] | None = None) -> None:
        out["failures"].append({
            "phase": phase, "revision": getattr(rev, "revision", rev), "file": getattr(rev, "path", None),
            "error": _error(exc) if exc else "", "diff": detail or [], "seeded": seeder is not None,
        })

    walk = _Walk(script, order, seeder, fail, tuple(req["stop_at"]) if req.get("stop_at") else None,
                 lambda n, rev: _progress(bool(req.get("progress")), n, len(order), rev))
    try:
        walk.drive(cfg)
    finally:
        if seeder is not None:
            out["seed"] = seeder.summary()
    if walk.stopped:
        out["ok"] = out["stopped"] = True
        return out
    out["steps"] = walk.summary(out["linear"])
    out["ok"] = walk.finished and not out["failures"]
    return out


class _Rerun(Exception):
    """Raised out of a revision's step to roll its transaction back; a new env.py run carries on."""


class _Walk:
    """The walk over ``order`` (topological), in as few env.py runs as it takes.

    Each revision is one Alembic step whose migration function upgrades it, downgrades it, compares the
    schema with the one from before, and upgrades it again (``_round_trip``): Alembic records the revision
    once, as ``alembic upgrade`` would, and where DDL is transactional a failure anywhere in it undoes the
    whole revision. The failure is recorded with the revision and its phase. A failed upgrade ends the walk
    (later revisions build on it). After a failed downgrade or re-upgrade, or a downgrade that left the
    schema different, a new env.py run starts from what the database holds (its heads say which revisions
    are applied), upgrades the missing ones up to that revision ("rebuild") and goes on with the next.
    Where DDL is not transactional (MySQL, MariaDB, SQLite) nothing can be undone: after a failed
    downgrade the walk goes on from wherever that left the schema; after a failed re-upgrade or a
    schema difference it ends.
    """

    def __init__(self, script, order: list, seeder, fail: Callable, stop_at: tuple | None,
                 progress: Callable[[int, str], None]):
        self.script, self.order, self.seeder = script, order, seeder
        self.fail, self.stop_at, self.progress = fail, stop_at, progress
        self.next = 0  # index in ``order`` of the next revision to drill
        self.upgraded = 0  # how many revisions of ``order`` went up at least once
        self.running: tuple[str, Any] | None = None  # the phase of the migration running now
        self.after: str | None = None  # the schema after the revision just walked; None: the walk ends there
        self.runs = 0
        self.finished = self.stopped = False

    def drive(self, cfg) -> None:
        from alembic.runtime.environment import EnvironmentContext

        while not self.finished:
            self.runs += 1
            start, self.running = self.next, None
            try:
                with EnvironmentContext(cfg, self.script, fn=self.steps, as_sql=False, starting_rev=None,
                                        destination_rev="heads", tag=None):
                    self.script.run_env()
            except _Rerun:
                continue
            except Exception as exc:
                self._failed(exc)
                continue
            if not self.finished and self.next == start:  # env.py never ran the migrations
                self.fail("env", None, RuntimeError("env.py returned without running the migrations (online)"))
                self.finished = True

    def _failed(self, exc: Exception) -> None:
        phase, rev = self.running or ("env", None)
        self.fail(phase, rev, exc)
        if phase in ("downgrade", "re-upgrade"):
            self.next = self.order.index(rev) + 1
            self.finished = self.next >= len(self.order)
        else:
            self.finished = True

    def steps(self, heads, context):
        """Alembic's migrations function: called once per env.py run, with the heads in the database."""
        from alembic.runtime.migration import RevisionStep

        from pytest_dbaudit.drills.schema_fingerprint import SchemaReader

        conn, schema = context.connection, SchemaReader()
        if conn.dialect.name == "postgresql":  # a throwaway database: its commits need not wait for the disk
            conn.exec_driver_sql("SET synchronous_commit TO off")
        transactional = bool(context.impl.transactional_ddl)
        applied = {r.revision for r in self.script.iterate_revisions(tuple(heads), "base")} if heads else set()
        for rev in self.order[:self.next]:
            if rev.revision not in applied:
                self.running = ("rebuild", rev)
                yield RevisionStep(self.script.revision_map, rev, True)
        self.running = None
        before = schema.read(conn)
        for n in range(self.next, len(self.order)):
            rev = self.order[n]
            if schema.changed >= COMMIT_AFTER_TABLES and _commit(context):
                schema.committed()
            self.progress(n + 1, rev.revision)
            if self.seeder is not None:
                self.seeder.seed(conn)
            step = RevisionStep(self.script.revision_map, rev, True)
            step.migration_fn = self._migration_fn(conn, schema, n, before, transactional)
            yield step
            self.next = n + 1
            if self.after is None:
                break
            before = self.after
        self.finished = True

    def _migration_fn(self, conn, schema, n: int, before: str, transactional: bool) -> Callable:
        def upgrade(**kw) -> None:  # Alembic logs "Running upgrade <parent> -> <revision>" by this name
            self._round_trip(conn, schema, n, before, transactional, kw)

        return upgrade

    def _round_trip(self, conn, schema, n: int, before: str, transactional: bool, kw: dict) -> None:
        """Revision ``n``'s migrations and comparisons; sets ``after``. Errors of a transactional engine
        escape: they undo the revision (see the class)."""
        from pytest_dbaudit.drills.schema_fingerprint import text_diff

        rev, self.after = self.order[n], None
        self._migrate("upgrade", rev, kw)
        self.upgraded = max(self.upgraded, n + 1)
        if self.seeder is not None and conn.dialect.name in FILLED_ENGINES:
            self._filled(conn, rev, before, schema.read(conn))
        if self._stop("upgrade", rev):
            return
        try:
            self._migrate("downgrade", rev, kw)
        except Exception as exc:
            if transactional:
                raise
            self.fail("downgrade", rev, exc)  # its upgrade stays: go on from there
            self.after = schema.read(conn)
            return
        changed = text_diff(before, schema.read(conn))
        if changed:
            self.fail("downgrade", rev, detail=changed)
            if transactional and n + 1 < len(self.order):
                self.next = n + 1
                raise _Rerun()
            return
        if self._stop("downgrade", rev):
            return
        try:
            self._migrate("re-upgrade", rev, kw)
        except Exception as exc:
            if transactional:
                raise
            self.fail("re-upgrade", rev, exc)
            return
        self.after = schema.read(conn)

    def _migrate(self, phase: str, rev, kw: dict) -> None:
        self.running = (phase, rev)
        (rev.module.downgrade if phase == "downgrade" else rev.module.upgrade)(**kw)
        self.running = None

    def _stop(self, phase: str, rev) -> bool:
        """The parent's replay: stop with success once that step passed (its database is dropped next)."""
        if self.stop_at == (phase, rev.revision):
            self.stopped = True
        return self.stopped

    def _filled(self, conn, rev, before: str, after: str) -> None:
        """Seeded mode on MySQL/MariaDB: a NOT NULL column without a default added to a table with rows. The
        server fills the rows with the type's implicit default where PostgreSQL refuses the ALTER."""
        server = "MariaDB" if getattr(conn.dialect, "is_mariadb", False) else "MySQL"
        for table, column, rows in _filled_columns(conn, before, after):
            self.fail("upgrade", rev, detail=[(
                f"column {table}.{column} was added NOT NULL without a default to a table with rows: {server} "
                f"filled the {rows} existing row(s) with its implicit default ('' for strings, 0 for numbers, a "
                "zero date), strict mode or not; PostgreSQL rejects the same ALTER on a table with rows")])

    def summary(self, linear: bool) -> list[str]:
        lines, total = [], len(self.order)
        if self.upgraded == total:
            target = f"{self.order[-1].revision} ({total} revisions)" if linear else \
                f"heads one revision at a time ({total} revisions, branched)"
            lines.append(f"upgrade base -> {target}; each revision downgraded right after its upgrade (same "
                         "schema as before it) and upgraded again")
        if self.runs > 1:
            lines.append(f"{self.runs} env.py runs: a new one after each failed step")
        return lines


def _commit(context) -> bool:
    """Where Alembic holds one transaction for the whole run, commit it before the next revision, as separate
    ``alembic`` commands would: in a transaction of hundreds of DDL statements every catalog read gets slower
    (the row versions it made cannot be pruned before it ends), and the schema reads rely on the locks of the
    current transaction to know what changed (``SchemaReader``). Not where env.py began the transaction
    itself, nor where the migrations commit one by one anyway. ``_transaction``: Alembic's own."""
    if getattr(context, "_transaction", None) is None:
        return False
    # what autocommit_block() does on either side of its block, without the isolation-level round trips
    context._transaction.commit()
    context._transaction = context.connection.begin()
    return True


def _filled_columns(conn, before: str, after: str) -> list[tuple[str, str, int]]:
    """(table, column, rows) for each column in ``after`` but not ``before``, of a table that existed before,
    NOT NULL with nothing the server fills it with (no default, auto-increment or generation), where the
    table holds rows."""
    from pytest_dbaudit.drills.schema_fingerprint import parse

    if before == after:
        return []
    old, new = parse(before), parse(after)
    quote = conn.dialect.identifier_preparer.quote
    out = []
    for table in sorted(set(old) & set(new)):
        for name, col in sorted(new[table]["columns"].items()):
            if name in old[table]["columns"] or col["nullable"] or col["default"] is not None:
                continue
            rows = conn.exec_driver_sql(f"SELECT COUNT(*) FROM {quote(table)}").scalar()
            if rows:
                out.append((table, name, rows))
    return out


def main() -> None:
    req = json.loads(sys.stdin.read())
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        result = run(req)
    except BaseException as exc:  # SystemExit from env.py included
        result = {"ok": False, "steps": [], "failures": [
            {"phase": "env", "revision": None, "error": _error(exc), "trace": traceback.format_exc()[-2000:]}]}
    sys.stdout.write("\n@@DBAUDIT@@" + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
