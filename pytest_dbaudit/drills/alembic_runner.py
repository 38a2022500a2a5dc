"""Alembic round trip, run in a child process: ``python -m pytest_dbaudit.drills.alembic_runner``.

A child process because env.py is the project's own code: it may import the application, exit,
hang or leave global state behind. Reads a JSON request on stdin, prints one JSON result line.
Every history is walked one revision at a time (upgrade r, then later downgrade r and compare the
schema with the one before r); branched histories and merges through single steps, so undoing one
branch never takes another down with it. Seeded mode applies to linear histories.

Request keys besides ``ini``/``url``: ``seed_rows`` (seeded mode: rows inserted into every table
before each upgrade, see ``seed.py``), ``stop_at`` (``[phase, revision]``: stop with success once
that step passed; the parent's replay without rows), ``progress`` (print ``@@PROGRESS@@`` lines).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from typing import Any


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
    import sqlalchemy as sa
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy.pool import NullPool

    from pytest_dbaudit.drills.schema_fingerprint import diff, fingerprint
    from pytest_dbaudit.drills.seed import Seeder

    out: dict[str, Any] = {"ok": False, "steps": [], "failures": []}
    url = req["url"]
    stop_at = tuple(req["stop_at"]) if req.get("stop_at") else None
    show = bool(req.get("progress"))
    try:
        cfg = Config(req["ini"], ini_section=req.get("section", "alembic"))
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        script = ScriptDirectory.from_config(cfg)
        revs = list(script.walk_revisions())  # head -> base
        heads = list(script.get_heads())
    except Exception as exc:
        out["failures"].append({"phase": "load", "revision": None, "error": _error(exc)})
        return out
    migrate = _Migrate(cfg, script)
    out["revisions"] = len(revs)
    out["heads"] = heads
    linear = len(heads) <= 1 and all(not isinstance(r.down_revision, (tuple, list)) for r in revs)
    out["linear"] = linear
    if not revs:
        out["ok"] = True
        return out
    engine = sa.create_engine(url, poolclass=NullPool)
    # One autocommit connection reads every schema fingerprint of the walk: it never holds a
    # transaction (or a lock) while env.py's own connection migrates. ``memo``: what the fingerprints
    # learn about this database's types, kept for the walk.
    conn = None
    memo: dict = {}
    seeder = Seeder(int(req.get("seed_rows") or 0)) if linear and req.get("seed_rows") else None

    def fail(phase: str, rev, exc: BaseException | None = None, detail: list[str] | None = None) -> None:
        out["failures"].append({
            "phase": phase, "revision": getattr(rev, "revision", rev), "file": getattr(rev, "path", None),
            "error": _error(exc) if exc else "", "diff": detail or [], "seeded": seeder is not None,
        })

    def stop(phase: str, rev) -> bool:
        if stop_at == (phase, getattr(rev, "revision", rev)):
            out["ok"] = out["stopped"] = True
            return True
        return False

    try:
        conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        base_fp = fingerprint(conn, memo)
        if not linear:
            return _walk_graph(migrate, list(reversed(revs)), conn, memo, base_fp, fail, out, show)
        order = list(reversed(revs))
        before: dict[str, dict] = {}
        current = base_fp  # the schema now: taken once after each step, it is the next step's "before"
        for n, rev in enumerate(order, 1):
            _progress(show, "revision", n, len(order), rev.revision)
            before[rev.revision] = current
            if seeder is not None:
                seeder.seed(engine)
            try:
                migrate.upgrade(rev.revision)
            except Exception as exc:
                fail("upgrade", rev, exc)
                return out
            if stop("upgrade", rev):
                return out
            current = fingerprint(conn, memo)
        out["steps"].append(f"upgrade base -> {order[-1].revision} ({len(order)} revisions)")
        head_fp = current
        for n, rev in enumerate(revs, 1):
            _progress(show, "downgrade", n, len(revs), rev.revision)
            target = rev.down_revision or "base"
            try:
                migrate.downgrade(target)
            except Exception as exc:
                fail("downgrade", rev, exc)
                return out
            current = fingerprint(conn, memo)
            changed = diff(before[rev.revision], current)
            if changed:
                fail("downgrade", rev, detail=changed)
                return out
            if stop("downgrade", rev):
                return out
        out["steps"].append(f"downgrade {order[-1].revision} -> base one revision at a time")
        leftover = diff(base_fp, current)
        if leftover:
            fail("downgrade", "base", detail=leftover)
            return out
        return _up_again(migrate, conn, memo, head_fp, fail, out)
    finally:
        if seeder is not None:
            out["seed"] = seeder.summary()
        if conn is not None:
            conn.close()
        engine.dispose()


def _walk_graph(migrate, order, conn, memo, base_fp, fail, out, show) -> dict:
    """Branches and merges, revision by revision: in topological order each revision is applied as one
    step; then in the reverse order, where each is a head when its turn comes, it is undone as one step
    and the schema must be the one from before it. Then everything up again and compared with the head."""
    from pytest_dbaudit.drills.schema_fingerprint import diff, fingerprint

    if not getattr(migrate, "direct", False):
        fail("drill", "heads", RuntimeError("this Alembic version cannot apply single steps; branched histories "
                                            "need Alembic >= 1.8"))
        return out
    before: dict[str, dict] = {}
    current = base_fp
    for n, rev in enumerate(order, 1):
        _progress(show, "revision", n, len(order), rev.revision)
        before[rev.revision] = current
        try:
            migrate.step(rev, upgrade=True)
        except Exception as exc:
            fail("upgrade", rev, exc)
            return out
        current = fingerprint(conn, memo)
    out["steps"].append(f"upgrade base -> heads one revision at a time ({len(order)} revisions, branched)")
    head_fp = current
    for n, rev in enumerate(reversed(order), 1):
        _progress(show, "downgrade", n, len(order), rev.revision)
        try:
            migrate.step(rev, upgrade=False)
        except Exception as exc:
            fail("downgrade", rev, exc)
            return out
        current = fingerprint(conn, memo)
        changed = diff(before[rev.revision], current)
        if changed:
            fail("downgrade", rev, detail=changed)
            return out
    out["steps"].append("downgrade heads -> base one revision at a time")
    return _up_again(migrate, conn, memo, head_fp, fail, out)


def _up_again(migrate, conn, memo, head_fp, fail, out) -> dict:
    """The last step of every walk: upgrade to the heads again and find the same schema as the first time."""
    from pytest_dbaudit.drills.schema_fingerprint import diff, fingerprint

    try:
        migrate.upgrade("heads")
    except Exception as exc:
        fail("re-upgrade", "heads", exc)
        return out
    again = diff(head_fp, fingerprint(conn, memo))
    if again:
        fail("re-upgrade", "heads", detail=again)
        return out
    out["steps"].append("upgrade base -> heads again: same schema")
    out["ok"] = True
    return out


class _Migrate:
    """``alembic upgrade`` / ``alembic downgrade`` on one ``ScriptDirectory`` read once for the whole walk.

    ``alembic.command.upgrade`` builds a new ``ScriptDirectory`` for every call, which reads every revision
    file again: a walk of N revisions would read N files 2N times. The commands do nothing else than what
    is below: env.py runs once per step, as the CLI runs it, with the same target revision.
    """

    def __init__(self, cfg, script):
        self.cfg, self.script = cfg, script
        self.direct = hasattr(script, "_upgrade_revs") and hasattr(script, "_downgrade_revs")

    def upgrade(self, target: str) -> None:
        if not self.direct:  # an Alembic without these (private) helpers: the public commands
            from alembic import command

            return command.upgrade(self.cfg, target)
        script = self.script
        self._run(lambda rev, context: script._upgrade_revs(target, rev), target)

    def downgrade(self, target: str) -> None:
        if not self.direct:
            from alembic import command

            return command.downgrade(self.cfg, target)
        script = self.script
        self._run(lambda rev, context: script._downgrade_revs(target, rev), target)

    def step(self, rev, upgrade: bool) -> None:
        """Apply or undo this one revision only. A named downgrade target takes every branch that does not
        lead to it down too (sqlalchemy/alembic#464); one explicit step does not."""
        from alembic.runtime.migration import RevisionStep

        step = RevisionStep(self.script.revision_map, rev, upgrade)
        self._run(lambda heads, context: [step], rev.revision)

    def _run(self, fn, target: str) -> None:
        from alembic.runtime.environment import EnvironmentContext

        with EnvironmentContext(self.cfg, self.script, fn=fn, as_sql=False, starting_rev=None, destination_rev=target,
                                tag=None):
            self.script.run_env()


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
