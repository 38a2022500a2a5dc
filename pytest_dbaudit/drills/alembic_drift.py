"""Models against migrations, in a child process: ``python -m pytest_dbaudit.drills.alembic_drift``.

Upgrades a throwaway database to the heads, then lets Alembic's autogenerate compare it with the
``target_metadata`` env.py declares; the would-be migration is captured and never written. A child
process because env.py is the project's code. Request on stdin {"ini", "section", "url", "compare"
(false: upgrade only)}; prints
one JSON line after the marker: {"diffs": [...], "metadata": bool, "error": str | null}.
"""

from __future__ import annotations

import json
import logging
import sys

MARKER = "@@DBAUDIT-DRIFT@@"


def _describe(diff) -> str:
    """One autogenerate difference as a line: ``add_column orders.note``, ``remove_index ix_a on orders``."""
    if isinstance(diff, list):  # modifications of one column come grouped
        return "; ".join(_describe(d) for d in diff)
    kind = diff[0]
    if kind in ("add_column", "remove_column"):
        return f"{kind} {diff[2]}.{diff[3].name}"
    if kind.startswith("modify_"):
        return f"{kind} {diff[2]}.{diff[3]}: {diff[5]!r} -> {diff[6]!r}"
    obj = diff[1]
    table = getattr(getattr(obj, "table", None), "name", None)
    name = getattr(obj, "name", None) or "(unnamed)"
    return f"{kind} {name}" + (f" on {table}" if table and table != name else "")


def run(req: dict) -> dict:
    from pytest_dbaudit.drills.alembic_env import import_alembic

    import_alembic()
    from alembic import command
    from alembic.config import Config

    logging.disable(logging.CRITICAL)
    out: dict = {"diffs": [], "metadata": True, "error": None}
    try:
        cfg = Config(req["ini"], ini_section=req.get("section", "alembic"))
        cfg.set_main_option("sqlalchemy.url", req["url"].replace("%", "%%"))
        command.upgrade(cfg, "heads")
    except BaseException as exc:  # noqa: BLE001 - env.py may raise anything, SystemExit included
        out["error"] = f"upgrade to heads failed: {type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
        return out
    if req.get("compare") is False:  # the schema source (schema/migrated.py) only needs the database built
        return out

    def capture(context, revision, directives):
        if context.opts.get("target_metadata") is None:
            out["metadata"] = False
        elif directives:
            out["diffs"] = [_describe(d) for d in directives[0].upgrade_ops.as_diffs()]
        directives[:] = []  # never write the would-be revision file

    try:
        command.revision(cfg, message="dbaudit drift check", autogenerate=True, process_revision_directives=capture)
    except BaseException as exc:  # noqa: BLE001
        if "does not provide a MetaData" in str(exc):  # Alembic refuses before calling the hook
            out["metadata"] = False
            return out
        out["error"] = f"autogenerate failed: {type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
    return out


if __name__ == "__main__":
    result = run(json.loads(sys.stdin.read()))
    sys.stdout.write("\n" + MARKER + json.dumps(result) + "\n")
