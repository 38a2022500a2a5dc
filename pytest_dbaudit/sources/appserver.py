"""How many database connections one replica of a Django application keeps open.

Django opens one connection per thread (per database alias). With ``CONN_MAX_AGE = 0``, its default,
the connection is closed at the end of each request; with a positive value or ``None`` it stays open,
so every worker thread of every replica holds one. The thread count is gunicorn's ``workers`` x
``threads``, read from gunicorn config files, Procfiles, Dockerfiles, shell scripts, compose commands
and Kubernetes container commands. gunicorn's documented defaults (1 worker, 1 thread) apply only where
gunicorn is started without those options; anything not literal leaves the count unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .walk import Repository, line_of

_CONN_MAX_AGE = re.compile(r"""(?m)(?:['"]CONN_MAX_AGE['"]\s*:|\bCONN_MAX_AGE\s*=|\bconn_max_age\s*=)[ \t]*(.+?)[ \t]*,?[ \t]*(?:#.*)?$""")
_WORKERS = re.compile(r"(?:^|\s)(?:-w[ \t]*|--workers(?:=|\s+))(\S+)")
_THREADS = re.compile(r"(?:^|\s)--threads(?:=|\s+)(\S+)")
_CLASS = re.compile(r"(?:^|\s)(?:-k[ \t]*|--worker-class(?:=|\s+))(\S+)")
_CONF = {key: re.compile(rf"(?m)^{key}\s*=\s*(.+?)\s*(?:#.*)?$") for key in ("workers", "threads", "worker_class")}
_SYNC = ("sync", "gthread")  # one request per thread: a thread holds at most one connection


@dataclass
class Gunicorn:
    """The worker settings found, the largest of each (the worst case for the connection budget)."""

    workers: int | None = None  # None: not set anywhere, gunicorn's default of 1 applies
    threads: int | None = None
    started: list[str] = field(default_factory=list)  # where gunicorn is configured or started
    unresolved: list[str] = field(default_factory=list)  # settings that are not literals

    @property
    def per_replica(self) -> int | None:
        return (self.workers or 1) * (self.threads or 1) if self.started and not self.unresolved else None

    def describe(self) -> str:
        return " x ".join(f"{n or 1} {what}(s)" + ("" if n else " (default)")
                          for what, n in (("gunicorn worker", self.workers), ("thread", self.threads)))


def persistent_connections(repo: Repository) -> tuple[list[tuple[str, str]], list[str]]:
    """Django settings that keep connections open (file:line, value), and those known only at run time."""
    persistent, unresolved = [], []
    for rel in repo.files:
        if not rel.endswith(".py"):
            continue
        text = repo.text(rel) or ""
        if "CONN_MAX_AGE" not in text and "conn_max_age" not in text:
            continue
        for m in _CONN_MAX_AGE.finditer(text):
            value, where = m.group(1), f"{rel}:{line_of(text, m.start())}"
            if value == "None" or (value.isdigit() and int(value) > 0):
                persistent.append((where, value))
            elif not value.isdigit():
                unresolved.append(f"{where}: CONN_MAX_AGE = {value}")
    return persistent, unresolved


def gunicorn_of(repo: Repository) -> Gunicorn:
    return repo.model("gunicorn", _build)  # type: ignore[return-value]


def _build(repo: Repository) -> Gunicorn:
    from .compose import compose_of
    from .kubernetes import kubernetes_of

    g = Gunicorn()
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if re.match(r"gunicorn[\w.\-]*\.(py|conf)$", name):
            text = repo.text(rel) or ""
            g.started.append(rel)
            for key, rx in _CONF.items():
                for m in rx.finditer(text):
                    _take(g, key, m.group(1).strip("'\""), f"{rel}:{line_of(text, m.start())}")
        elif name == "Procfile" or name.startswith("Dockerfile") or name.endswith((".dockerfile", ".sh")):
            text = repo.text(rel) or ""
            for m in re.finditer(r"(?m)^(?!\s*#).*\bgunicorn\b.*$", text):
                _command(g, m.group(0), f"{rel}:{line_of(text, m.start())}")
    for svc in compose_of(repo).services:
        if "gunicorn" in svc.command:
            _command(g, svc.command, svc.location)
        _web_concurrency(g, svc.environment, svc.location)
    for w in kubernetes_of(repo).workloads:
        for c in w.containers:
            if "gunicorn" in c.command:
                _command(g, c.command, w.location)
            _web_concurrency(g, c.env, w.location)
    return g


def _command(g: Gunicorn, line: str, where: str) -> None:
    if re.search(r"\binstall\b", line):
        return  # pip install gunicorn: installed, not started
    # Exec form (CMD ["gunicorn", "-w", "4"]) reads as a command line once the JSON punctuation goes.
    argv = re.sub(r"""["',\[\]]""", " ", line).split("gunicorn", 1)[1]
    g.started.append(where)
    for key, rx in (("workers", _WORKERS), ("threads", _THREADS), ("worker_class", _CLASS)):
        for m in rx.finditer(argv):
            _take(g, key, m.group(1), where)


def _web_concurrency(g: Gunicorn, env: dict[str, str], where: str) -> None:
    """gunicorn reads WEB_CONCURRENCY as its default worker count, and options from GUNICORN_CMD_ARGS."""
    if "WEB_CONCURRENCY" in env:
        _take(g, "workers", env["WEB_CONCURRENCY"], where)
    if env.get("GUNICORN_CMD_ARGS"):
        _command(g, "gunicorn " + env["GUNICORN_CMD_ARGS"], where)


def _take(g: Gunicorn, key: str, value: str, where: str) -> None:
    if key == "worker_class":
        if value.rsplit(".", 1)[-1].lower() not in _SYNC:
            g.unresolved.append(f"{where}: worker class {value} serves many requests per worker")
    elif value.isdigit():
        setattr(g, key, max(getattr(g, key) or 0, int(value)))
    else:
        g.unresolved.append(f"{where}: {key} = {value}")
