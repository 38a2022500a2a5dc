"""Progress lines for long drills: ``MG-04 drill: revision 12 of 80 (000012_orders) ...``.

A drill runs inside its item's setup, where pytest captures output. The lines go through the
terminal reporter with capture suspended, as pytest's own live logging does, so they show with
normal pytest output. They stay quiet under ``-q``, on pytest-xdist workers (whose output pytest
does not show), outside pytest (the audit has no pytest config), and for drills shorter than
``drills.progress_after_s``.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, Callable


class Progress:
    """``progress(n, total, revision_id)``: one line per revision once the drill has run ``after_s``
    seconds, then at most one a second (every revision when ``after_s`` is 0)."""

    def __init__(self, prefix: str, after_s: float, write: Callable[[str], None] | None):
        self.prefix = prefix
        self.after_s = max(0.0, float(after_s))
        self.started = time.monotonic()
        self.last: float | None = None
        self.context = ""
        self._write = write

    def __call__(self, n: int, total: int, revision: str, kind: str = "revision") -> None:
        if self._write is None:
            return
        now = time.monotonic()
        if now - self.started < self.after_s:
            return
        if self.last is not None and now - self.last < min(1.0, self.after_s):
            return
        self.last = now
        self._write(f"{self.prefix}: {kind} {n} of {total} ({revision}){self.context}")


def terminal_writer(config: Any) -> Callable[[str], None] | None:
    """A function writing one line to pytest's terminal, or None where nothing should be shown."""
    if config is None or hasattr(config, "workerinput"):
        return None
    verbosity = config.get_verbosity() if hasattr(config, "get_verbosity") else config.option.verbose
    if verbosity < 0:
        return None
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return None
    capman = config.pluginmanager.get_plugin("capturemanager")

    def write(line: str) -> None:
        suspended = getattr(capman, "global_and_fixture_disabled", None)
        with suspended() if suspended else contextlib.nullcontext():
            reporter.write_line(line)

    return write
