"""Alembic round trip, run in a child process: ``python -m pytest_dbaudit.drills.alembic_runner``.

A child process because env.py is the project's own code: it may import the application, exit,
hang or leave global state behind. Reads a JSON request on stdin, prints one JSON result line.

Every revision, in topological order: upgrade it, downgrade it, compare the schema with the one from
before its upgrade, upgrade it again. Each is one single step, so branches and merges need nothing
special: undoing one revision never takes another branch down with it (sqlalchemy/alembic#464).
env.py runs once for the whole walk: Alembic's migrations function is a generator (``_Walk.steps``)
that yields the steps one by one and reads the schema between them on the migration's own
connection, inside its transaction. After a failed downgrade a new env.py run carries on with the
next revision (see ``_Walk``).

Request keys besides ``ini``/``url``: ``seed_rows`` (seeded mode: rows inserted into every table
before each upgrade, see ``seed.py``), ``stop_at`` (``[phase, revision]``: stop with success once
that step passed; the parent's replay without rows), ``progress`` (print ``@@PROGRESS@@`` lines).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from typing import Any, Callable

FILLED_ENGINES = ("mysql", "mariadb")  # ADD COLUMN ... NOT NULL on a table with rows: an implicit default


def _error(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip() or type(exc).__name__
    first = text.splitlines()[0][:400]
    stmt = getattr(exc, "statement", None)
    if stmt:
        first += f" [SQL: {' '.join(str(stmt).split())[:400]}]"
    return f"{type(orig if orig is not None else exc).__name__}: {first}"


def _progress(enabled: bool, kind: str, n: int, total: int, revision: str) -> None:
    if enabled:
        sys.stdout.write("\n@@PROGRESS@@" + json.dumps({"kind": kind, "n": n, "total": total, "revision": revision})
                         + "\n")
        sys.stdout.flush()


def run(req: dict[str, Any]) -> dict[str, Any]:
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
                 lambda n, rev: _progress(bool(req.get("progress")), "revision", n, len(order), rev))
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
    """Raised out of the steps to roll env.py's transaction back; a new run carries on."""


class _Walk:
    """The walk over ``order`` (topological), across as few env.py runs as it takes.

    One run normally does it all. When a step raises, Alembic's transaction is gone: the failure is
    recorded with its revision and phase, and a failed upgrade ends the walk (later revisions build on
    it). After a failed downgrade or re-upgrade a new env.py run starts from whatever the database now
    holds (its heads say which revisions are applied), upgrades the revisions before the next one that
    are missing ("rebuild": everything since the last run began, where the run was one transaction),
    and goes on. A downgrade that leaves the schema different is recorded too; where env.py's
    transaction can undo it, the run is rolled back and the next one rebuilds up to that revision;
    where the migrations commit one by one (``transaction_per_migration``, MySQL's DDL) the schema from
    before it cannot be restored and the walk ends there.
    """

    def __init__(self, script, order: list, seeder, fail: Callable, stop_at: tuple | None,
                 progress: Callable[[int, str], None]):
        self.script, self.order, self.seeder = script, order, seeder
        self.fail, self.stop_at, self.progress = fail, stop_at, progress
        self.next = 0  # index in ``order`` of the next revision to drill
        self.upgraded = 0  # how many revisions of ``order`` went up at least once
        self.running: tuple[str, Any] | None = None  # the step Alembic is running now
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
        from pytest_dbaudit.drills.schema_fingerprint import SchemaReader, text_diff

        conn, schema = context.connection, SchemaReader()
        if conn.dialect.name == "postgresql":  # a throwaway database: its commits need not wait for the disk
            conn.exec_driver_sql("SET synchronous_commit TO off")
        applied = {r.revision for r in self.script.iterate_revisions(tuple(heads), "base")} if heads else set()
        for rev in self.order[:self.next]:
            if rev.revision not in applied:
                yield from self._step("rebuild", rev, True)
        before = schema.read(conn)
        for n in range(self.next, len(self.order)):
            rev = self.order[n]
            if _commit(context):
                schema.committed()
            self.progress(n + 1, rev.revision)
            if self.seeder is not None:
                self.seeder.seed(conn)
            yield from self._step("upgrade", rev, True)
            self.upgraded = max(self.upgraded, n + 1)
            after = schema.read(conn)
            if self.seeder is not None and conn.dialect.name in FILLED_ENGINES:
                self._filled(conn, rev, before, after)
            if self._stop("upgrade", rev):
                return
            yield from self._step("downgrade", rev, False)
            changed = text_diff(before, schema.read(conn))
            if changed:
                self.fail("downgrade", rev, detail=changed)
                self.next = n + 1
                if self.next < len(self.order) and _rolls_back(context):
                    raise _Rerun()
                self.finished = True
                return
            if self._stop("downgrade", rev):
                return
            yield from self._step("re-upgrade", rev, True)
            before = schema.read(conn)
            again = text_diff(after, before)
            if again:
                self.fail("re-upgrade", rev, detail=again)
            self.next = n + 1
        self.finished = True

    def _step(self, phase: str, rev, upgrade: bool):
        from alembic.runtime.migration import RevisionStep

        self.running = (phase, rev)
        yield RevisionStep(self.script.revision_map, rev, upgrade)
        self.running = None

    def _stop(self, phase: str, rev) -> bool:
        if self.stop_at == (phase, rev.revision):
            self.stopped = self.finished = True
        return self.stopped

    def _filled(self, conn, rev, before: str, after: str) -> None:
        """Seeded mode on MySQL/MariaDB: a NOT NULL column without a default added to a table with rows. The
        server fills the rows with the type's implicit default where PostgreSQL refuses the ALTER."""
        for table, column, rows in _filled_columns(conn, before, after):
            self.fail("upgrade", rev, detail=[
                f"column {table}.{column} was added NOT NULL without a default to a table with rows: "
                f"{conn.dialect.name} filled the {rows} existing row(s) with its implicit default ('' for "
                "strings, 0 for numbers, a zero date), strict mode or not; PostgreSQL rejects the same ALTER on a "
                "table with rows"])

    def summary(self, linear: bool) -> list[str]:
        lines, total = [], len(self.order)
        if self.upgraded == total:
            target = f"{self.order[-1].revision} ({total} revisions)" if linear else \
                f"heads one revision at a time ({total} revisions, branched)"
            lines.append(f"upgrade base -> {target}; each revision downgraded right after its upgrade (same "
                         "schema as before it) and upgraded again (same schema as after the first upgrade)")
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
    with context.autocommit_block():
        return True


def _rolls_back(context) -> bool:
    """Does an exception out of the migrations undo the current revision's steps? Yes when they share one
    transaction: transactional DDL, and not one transaction per migration."""
    return bool(context.impl.transactional_ddl and not context.opts.get("transaction_per_migration"))


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
