"""When each migration file entered the repository, from one ``git log`` over the whole history.

A revision added after another with a higher version is out of order: databases that already ran
the later one skip or refuse it (Flyway without outOfOrder, golang-migrate), or run it after it
was meant to (Rails, Knex). Without git, nothing is claimed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def added_at(root: Path, folders: list[str], timeout: float = 30) -> dict[str, int] | None:
    """Repository-relative path -> commit time (seconds) of the commit that added it, for the files under
    ``folders`` (the log is limited to them: long histories stay fast); None without git."""
    try:
        top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, timeout=timeout)
        if top.returncode != 0:
            return None
        prefix = Path(top.stdout.strip()).resolve()
        log = subprocess.run(["git", "-C", str(root), "log", "--diff-filter=A", "--name-only", "--format=@%ct",
                              "--no-renames", "--", *(folders or ["."])], capture_output=True, text=True,
                             timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if log.returncode != 0:
        return None
    base = root.resolve()
    out: dict[str, int] = {}
    when = 0
    for line in log.stdout.splitlines():
        if line.startswith("@"):
            when = int(line[1:])
        elif line.strip():
            try:
                rel = (prefix / line).resolve().relative_to(base).as_posix()
            except ValueError:
                continue
            out[rel] = when  # the log runs newest first: the last time seen is the first addition
    return out
