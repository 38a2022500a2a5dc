"""Alembic round trip, run in a child process: ``python -m pytest_dbaudit.drills.alembic_runner``.

A child process because env.py is the project's own code: it may import the application, exit,
hang or leave global state behind. Reads a JSON request on stdin, prints one JSON result line.
Linear histories are walked one revision at a time (upgrade r, then later downgrade r and compare
the schema with the one before r); other histories are checked as a whole range.
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


def run(req: dict[str, Any]) -> dict[str, Any]:
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy.pool import NullPool

    from pytest_dbaudit.drills.schema_fingerprint import diff, fingerprint

    out: dict[str, Any] = {"ok": False, "steps": [], "failures": []}
    url = req["url"]
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

    def fail(phase: str, rev, exc: BaseException | None = None, detail: list[str] | None = None) -> None:
        out["failures"].append({
            "phase": phase, "revision": getattr(rev, "revision", rev), "file": getattr(rev, "path", None),
            "error": _error(exc) if exc else "", "diff": detail or [],
        })

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
        for rev in order:
            before[rev.revision] = fingerprint(engine)
            try:
                command.upgrade(cfg, rev.revision)
            except Exception as exc:
                fail("upgrade", rev, exc)
                return out
        out["steps"].append(f"upgrade base -> {order[-1].revision} ({len(order)} revisions)")
        head_fp = fingerprint(engine)
        for rev in revs:
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
