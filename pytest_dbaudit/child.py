"""The project's own code in a child process: a JSON request on stdin, one JSON line after a marker on stdout.

Used wherever the audit runs what it cannot trust to behave (an Alembic env.py, model modules): a child
may exit, hang or print anything without harming the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .redact import redact


class ChildFailed(Exception):
    """The child timed out (``timed_out``) or exited without its answer (``code``, ``output``: stderr or stdout,
    secrets masked: the project's code may print its own connection URL)."""

    def __init__(self, *, timed_out: bool = False, code: int | None = None, output: str = ""):
        super().__init__("timed out" if timed_out else f"exited with code {code}")
        self.timed_out, self.code, self.output = timed_out, code, output


def project_env(paths: list[str], extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with ``extra`` set and ``paths`` (the project) first on PYTHONPATH."""
    env = dict(os.environ)
    env.update({k: str(v) for k, v in (extra or {}).items()})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [*paths, env.get("PYTHONPATH")]))
    return env


def run_child(module: str, marker: str, request: dict, *, cwd: Path, env: dict[str, str], timeout: float) -> dict:
    """``python -m module`` with ``request``; its answer, or ChildFailed."""
    try:
        proc = subprocess.run([sys.executable, "-m", module], input=json.dumps(request), capture_output=True,
                              encoding="utf-8", errors="replace", cwd=cwd, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ChildFailed(timed_out=True) from None
    at = proc.stdout.rfind(marker)
    if at < 0:
        raise ChildFailed(code=proc.returncode, output=redact((proc.stderr or proc.stdout).strip()))
    return json.loads(proc.stdout[at + len(marker):].splitlines()[0])
