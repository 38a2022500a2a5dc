"""Each Alembic revision's SQL, rendered offline (``alembic upgrade parent:rev --sql``) in a child process.

Offline rendering runs the project's env.py without connecting anywhere; a child process because
env.py is the project's own code (it may import the application, exit or hang). The SQL of one
revision at a time scopes "table created in this migration" correctly for the SQL rules.
Request on stdin: {"ini", "section", "url", "revisions": [[rev, parent-or-null], ...]}; prints one
JSON line after a marker: {"sql": {rev: text}, "errors": {rev: message}, "load_error": message}.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from pathlib import Path

from ...child import ChildFailed, run_child

MARKER = "@@DBAUDIT-SQL@@"
# Alembic's own version-table statements, in the fixed form it writes them: not the project's migration.
_BOOKKEEPING = re.compile(r"^(CREATE TABLE alembic_version \(.*?\);|(INSERT INTO|UPDATE|DELETE FROM) alembic_version\b"
                          r"[^;]*;)\n*", re.M | re.S)


def render(ini: Path, section: str, url: str, revisions: list[tuple[str, str | None]], env: dict[str, str],
           timeout: float = 120) -> dict:
    """Run the child with ``env`` (the whole environment, the project on its import path); any failure of
    the child itself comes back as ``load_error``."""
    request = {"ini": str(ini), "section": section, "url": url, "revisions": revisions}
    try:
        return run_child(__name__, MARKER, request, cwd=ini.parent, env=env, timeout=timeout)
    except ChildFailed as exc:
        if exc.timed_out:
            return {"load_error": f"offline rendering timed out after {timeout:g} s"}
        tail = exc.output.splitlines()[-1:] or [f"exit code {exc.code}"]
        return {"load_error": f"env.py could not run offline: {tail[0][:300]}"}


def _child(req: dict) -> dict:
    import logging

    from ...drills.alembic_env import import_alembic

    import_alembic()
    from alembic import command
    from alembic.config import Config

    logging.disable(logging.CRITICAL)  # env.py's fileConfig would print Alembic's INFO lines into the SQL
    out: dict = {"sql": {}, "errors": {}}
    try:
        cfg = Config(req["ini"], ini_section=req["section"])
        cfg.set_main_option("sqlalchemy.url", req["url"])
    except Exception as exc:  # noqa: BLE001 - anything the ini does is reported, not raised
        out["load_error"] = f"{type(exc).__name__}: {exc}"
        return out
    for rev, parent in req["revisions"]:
        buffer = io.StringIO()
        cfg.output_buffer = buffer
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                command.upgrade(cfg, f"{parent}:{rev}" if parent else rev, sql=True)
            out["sql"][rev] = _BOOKKEEPING.sub("", buffer.getvalue())
        except BaseException as exc:  # noqa: BLE001 - SystemExit from env.py included
            out["errors"][rev] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
    return out


if __name__ == "__main__":
    result = _child(json.loads(sys.stdin.read()))
    sys.stdout.write("\n" + MARKER + json.dumps(result) + "\n")
