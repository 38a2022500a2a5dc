"""Running the project's Alembic environment (env.py) in a child process, for the drills and MG-06.

env.py is the project's own code: it may import the application, exit or hang, so it never runs in
the audit's process. Its child gets the throwaway database's URL as ``sqlalchemy.url``, in
``DBAUDIT_DRILL_URL`` and in every ``alembic.url_env`` variable, the ``alembic.env`` variables, and
the folder of ``alembic.ini`` on ``PYTHONPATH``.
"""

from __future__ import annotations

import configparser
from pathlib import Path

from ..child import ChildFailed, project_env, run_child


def alembic_configs(repo) -> list[tuple[str, Path]]:
    """(path, absolute path) of every alembic.ini in the repository."""
    return [(rel, repo.path(rel)) for rel in repo.by_name("alembic.ini")]


def ini_problem(ini: Path) -> str | None:
    parser = configparser.ConfigParser()
    try:
        parser.read(ini, encoding="utf-8")
    except configparser.Error as exc:
        return f"not a valid ini file: {str(exc).splitlines()[0]}"
    if not parser.has_option("alembic", "script_location"):
        return "no [alembic] script_location"
    return None


def import_alembic() -> None:
    """Import Alembic in a child without Mako's Pygments plugin. When Pygments is installed, Mako's
    exceptions module (which Alembic imports) loads it, and with it dozens of lexers, to colour HTML
    error pages that no child renders: about 50 ms of every child's start. Without it Mako uses its
    own plain fallback. The block lasts for this import only; the project's code can use Pygments."""
    import sys

    plugin = "mako.ext.pygmentplugin"
    blocked = plugin not in sys.modules
    if blocked:
        sys.modules[plugin] = None  # type: ignore[assignment]  # importing it now raises ImportError
    try:
        import alembic.command  # noqa: F401
        import alembic.config  # noqa: F401
        import alembic.script  # noqa: F401
    finally:
        if blocked and sys.modules.get(plugin, False) is None:
            del sys.modules[plugin]


def run_module(module: str, marker: str, request: dict, ini: Path, url: str, settings: dict) -> dict:
    """Run a drill child module with the project's environment and read its result."""
    timeout = settings.get("timeout_s", 300)
    try:
        return run_child(module, marker, request, cwd=ini.parent, env=child_env(ini, url, settings), timeout=timeout)
    except ChildFailed as exc:
        if exc.timed_out:
            return {"error": f"timed out after {timeout} s"}
        return {"error": f"the Alembic environment exited with code {exc.code}: {exc.output[-300:]}"}


def child_env(ini: Path, url: str, settings: dict) -> dict[str, str]:
    """The environment of a child running the project's env.py: the audit config's alembic.env, the throwaway
    URL in every alembic.url_env variable and DBAUDIT_DRILL_URL, and the project on the import path."""
    extra = {**(settings.get("env") or {}), **{name: url for name in settings.get("url_env") or []},
             "DBAUDIT_DRILL_URL": url}
    return project_env([str(ini.parent)], extra)
