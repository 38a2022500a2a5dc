"""Alembic round trip, run in a child process: ``python -m pytest_dbaudit.drills.alembic_runner``.

A child process because env.py is the project's own code: it may import the application, exit,
hang or leave global state behind. Reads a JSON request on stdin, prints one JSON result line.
Linear histories are walked one revision at a time (upgrade r, then later downgrade r and compare
the schema with the one before r); other histories are checked as a whole range.

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
    from alembic import command
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
    out["revisions"] = len(revs)
    out["heads"] = heads
    linear = len(heads) <= 1 and all(not isinstance(r.down_revision, (tuple, list)) for r in revs)
    out["linear"] = linear
    if not revs:
        out["ok"] = True
        return out
    engine = sa.create_engine(url, poolclass=NullPool)
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
        base_fp = fingerprint(engine)
        if not linear:
            for phase, target in (("upgrade", "heads"), ("downgrade", "base"), ("upgrade", "heads")):
                try:
                    (command.upgrade if phase == "upgrade" else command.downgrade)(cfg, target)
                    out["steps"].append(f"{phase} {target}")
                except Exception as exc:
                    fail(phase, target, exc)
                    return out
            out["ok"] = True
            return out
        order = list(reversed(revs))
        before: dict[str, dict] = {}
        for n, rev in enumerate(order, 1):
            _progress(show, "revision", n, len(order), rev.revision)
            before[rev.revision] = fingerprint(engine)
            if seeder is not None:
                seeder.seed(engine)
            try:
                command.upgrade(cfg, rev.revision)
            except Exception as exc:
                fail("upgrade", rev, exc)
                return out
            if stop("upgrade", rev):
                return out
        out["steps"].append(f"upgrade base -> {order[-1].revision} ({len(order)} revisions)")
        head_fp = fingerprint(engine)
        for n, rev in enumerate(revs, 1):
            _progress(show, "downgrade", n, len(revs), rev.revision)
            target = rev.down_revision or "base"
            try:
                command.downgrade(cfg, target)
            except Exception as exc:
                fail("downgrade", rev, exc)
                return out
            changed = diff(before[rev.revision], fingerprint(engine))
            if changed:
                fail("downgrade", rev, detail=changed)
                return out
            if stop("downgrade", rev):
                return out
        out["steps"].append(f"downgrade {order[-1].revision} -> base one revision at a time")
        leftover = diff(base_fp, fingerprint(engine))
        if leftover:
            fail("downgrade", "base", detail=leftover)
            return out
        try:
            command.upgrade(cfg, "heads")
        except Exception as exc:
            fail("re-upgrade", "heads", exc)
            return out
        again = diff(head_fp, fingerprint(engine))
        if again:
            fail("re-upgrade", "heads", detail=again)
            return out
        out["steps"].append("upgrade base -> head again: same schema")
        out["ok"] = True
        return out
    finally:
        if seeder is not None:
            out["seed"] = seeder.summary()
        engine.dispose()


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
