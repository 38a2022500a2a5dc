"""Spread independent work over the machine's cores with ``fork``, for ``dbaudit lint-sql`` on many files.

A forked worker starts with everything already imported, which is most of a short run's cost; it
sends its results back pickled through a pipe. A worker that fails in any way (an exception, a
signal, a result that does not unpickle) costs nothing but time: its share is redone in this
process, where an error surfaces as it would without workers. Without ``fork`` (Windows), with one
core, or in a process that runs other threads (a fork copies only the calling thread, and any lock
another thread holds stays held in the child), everything runs here.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

MIN_PER_WORKER = 24  # below this many items a fork costs more than it saves


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # what this process may use, not what the machine has
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def auto_workers(items: int) -> int:
    return max(1, min(available_cpus(), items // MIN_PER_WORKER, 8))


def map_forked(fn: Callable[[Any], Any], items: Sequence[Any], workers: int) -> list[Any]:
    """``[fn(item) for item in items]``, in that order, over up to ``workers`` processes."""
    workers = min(workers, len(items))
    if workers <= 1 or not hasattr(os, "fork") or threading.active_count() > 1:
        return [fn(item) for item in items]
    shares = [list(range(w, len(items), workers)) for w in range(workers)]  # interleaved: sizes even out
    sys.stdout.flush()
    sys.stderr.flush()
    children = [_start(fn, [items[i] for i in share]) for share in shares[1:]]
    results: list[Any] = [None] * len(items)
    for i in shares[0]:
        results[i] = fn(items[i])
    for share, child in zip(shares[1:], children):
        got = _collect(child)
        if got is None or len(got) != len(share):
            got = [fn(items[i]) for i in share]
        for i, value in zip(share, got):
            results[i] = value
    return results


def _start(fn: Callable[[Any], Any], items: list[Any]) -> tuple[int, int] | None:
    try:
        read, write = os.pipe()
    except OSError:
        return None  # no descriptor to spare: this share runs here
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid:
        os.close(write)
        return pid, read
    status = 1
    try:
        os.close(read)
        data = pickle.dumps([fn(item) for item in items], protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as out:
            out.write(data)
        status = 0
    finally:
        os._exit(status)  # never back into the caller's code, and no second flush of its buffers


def _collect(child: tuple[int, int] | None) -> list[Any] | None:
    if child is None:
        return None
    pid, read = child
    with os.fdopen(read, "rb") as src:
        data = src.read()  # before waiting: a worker blocks on a full pipe until it is read
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return None
    try:
        return pickle.loads(data)
    except Exception:
        return None
