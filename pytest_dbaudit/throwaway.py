"""Throwaway databases for drills: the only place pytest-dbaudit writes.

Where a server comes from, in order: a container started by testcontainers (one per engine per
run) when a Docker engine answers; else a server named by ``DBAUDIT_THROWAWAY_POSTGRESQL`` / ``_MYSQL`` / ``_MARIADB`` or in the
audit config (``throwaway.postgresql`` / ``throwaway.mysql`` / ``throwaway.mariadb``); else, for SQLite, a
temporary file. Each drill gets a fresh database: a clone of a per-run template on PostgreSQL,
``CREATE DATABASE`` on MySQL/MariaDB. A drill drops its databases when it is done (``drop``);
whatever is left is dropped at the end of the run. Containers carry labels naming the owning
process, so ones left by a killed run are removed by the next run.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import secrets
import shutil
import signal
import socket
import tempfile
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .outcomes import TargetUnavailable
from .redact import redact, register_secret
from .targets import driver_url, safe_label

DEFAULT_IMAGES = {"postgresql": "postgres:16", "mysql": "mysql:8.4", "mariadb": "mariadb:11.4"}
# Every database in these containers is thrown away: no flushing to disk. DDL-heavy drills commit after
# dropping relations, which waits for the WAL flush whatever synchronous_commit says (about 20 % of a
# 160-revision Alembic drill). The official images and ours pass these arguments to the server.
NO_DURABILITY = {
    "postgresql": "postgres -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
    "mysql": "--innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --skip-log-bin",
    "mariadb": "--innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --skip-log-bin",
}
IMAGE_ENV = {"postgresql": "DBAUDIT_POSTGRES_IMAGE", "mysql": "DBAUDIT_MYSQL_IMAGE", "mariadb": "DBAUDIT_MARIADB_IMAGE"}
LABEL_OWNER = "io.pytest-dbaudit.owner"
LABEL_PID = "io.pytest-dbaudit.pid"
LABEL_HOST = "io.pytest-dbaudit.host"
LABEL_START = "io.pytest-dbaudit.start"


@dataclass
class ThrowawayDatabase:
    engine: str
    url: str  # may contain the server's password: never print, use label
    label: str
    source: str  # "container <image>", "server <label>", "sqlite file"


class _Server:
    """One server on which this run may create and drop its own databases."""

    def __init__(self, engine: str, admin_url: str, source: str, container: Any = None):
        import sqlalchemy as sa

        self.engine = engine
        self.admin_url = admin_url
        self.source = source
        self.container = container
        self.created: list[str] = []
        self.template: str | None = None
        self.sa = sa
        self._admin = sa.create_engine(driver_url(admin_url), isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=0,
                                       connect_args={"connect_timeout": 10})

    def _exec(self, sql: str) -> None:
        with self._admin.connect() as conn:
            conn.exec_driver_sql(sql)

    def create(self, name: str) -> str:
        if self.engine == "postgresql":
            if self.template is None:
                self.template = f"{name}_tpl"
                self._exec(f'CREATE DATABASE "{self.template}"')
                self.created.append(self.template)
            self._exec(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        else:
            self._exec(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        self.created.append(name)
        parts = urlsplit(driver_url(self.admin_url))
        return parts._replace(path=f"/{name}").geturl()

    def drop(self, name: str) -> None:
        if self.engine == "postgresql":
            self._exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            self._exec(f"DROP DATABASE IF EXISTS `{name}`")
        if name in self.created:
            self.created.remove(name)

    def close(self) -> list[str]:
        problems = []
        if self.container is None:
            for name in list(reversed(self.created)):
                try:
                    self.drop(name)
                except Exception as exc:  # keep dropping the others
                    problems.append(f"could not drop {name}: {redact(str(exc).splitlines()[0])}")
        self._admin.dispose()
        if self.container is not None:
            try:
                self.container.stop()
            except Exception as exc:
                problems.append(f"could not remove container: {redact(str(exc).splitlines()[0])}")
        return problems


class ThrowawayProvider:
    def __init__(self, settings: dict[str, Any], use_containers: bool = True,
                 live_servers: dict[str, str] | None = None, destructive: bool = False):
        self.settings = settings
        self.use_containers = use_containers and settings.get("containers", True)
        # --dbaudit-db servers, engine -> URL. Only with --dbaudit-allow-destructive does a drill create
        # (and drop) its own databases there; the given database itself is never written.
        self.live_servers = live_servers or {}
        self.destructive = destructive
        self.run_id = f"dbaudit_{os.getpid()}_{secrets.token_hex(3)}"
        self._servers: dict[str, _Server | TargetUnavailable] = {}
        self._counter = itertools.count(1)
        self._tmpdir: str | None = None
        self._closed = False
        self.problems: list[str] = []
        self._docker_reason: str | None = None
        atexit.register(self.close)

    # -- public ----------------------------------------------------------------------------------
    def create(self, engine: str) -> ThrowawayDatabase:
        """A fresh, empty database of ``engine`` (postgresql, mysql, mariadb, sqlite)."""
        name = f"{self.run_id}_{next(self._counter)}"
        if engine == "sqlite":
            if self._tmpdir is None:
                self._tmpdir = tempfile.mkdtemp(prefix="dbaudit-")
            path = os.path.join(self._tmpdir, f"{name}.sqlite")
            return ThrowawayDatabase("sqlite", f"sqlite:///{path}", f"sqlite:///{path}", "sqlite file")
        server = self._server(engine)
        url = server.create(name)
        return ThrowawayDatabase(engine, url, safe_label(url), server.source)

    def drop(self, db: ThrowawayDatabase) -> None:
        """Drop one database now rather than at the end of the run (best effort: else at the end)."""
        if self._closed:
            return
        if db.engine == "sqlite":
            path = db.url[len("sqlite:///"):]
            if self._tmpdir and path.startswith(self._tmpdir):
                for suffix in ("", "-journal", "-wal", "-shm"):
                    with contextlib.suppress(OSError):
                        os.remove(path + suffix)
            return
        server = self._servers.get(db.engine)
        if isinstance(server, _Server):
            name = urlsplit(db.url).path.lstrip("/")
            with contextlib.suppress(Exception):
                server.drop(name)

    def availability(self, engine: str) -> str:
        """Where this engine's databases come from, or raise TargetUnavailable with the reason."""
        if engine == "sqlite":
            return "sqlite file"
        return self._server(engine).source

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for server in self._servers.values():
            if isinstance(server, _Server):
                self.problems.extend(server.close())
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    # -- servers ---------------------------------------------------------------------------------
    def _server(self, engine: str) -> _Server:
        if engine not in self._servers:
            try:
                self._servers[engine] = self._open(engine)
            except TargetUnavailable as exc:
                self._servers[engine] = exc
        server = self._servers[engine]
        if isinstance(server, TargetUnavailable):
            raise server
        return server

    def _open(self, engine: str) -> _Server:
        reasons = []
        if self.use_containers:
            try:
                return self._container(engine)
            except TargetUnavailable as exc:
                reasons.append(str(exc))
        else:
            reasons.append("containers are switched off")
        configured = (os.environ.get(f"DBAUDIT_THROWAWAY_{engine.upper()}") or self.settings.get(engine)
                      or (self.settings.get("mysql") if engine == "mariadb" else None))
        if configured:
            parts = urlsplit(configured)
            if parts.password:
                register_secret(parts.password)
            try:
                server = _Server(engine, configured, f"server {safe_label(configured)}")
                server._exec("SELECT 1")
                return server
            except Exception as exc:
                reasons.append(f"configured server {safe_label(configured)}: {redact(str(exc).splitlines()[0])}")
        else:
            reasons.append(f"no server configured (throwaway.{engine} in the audit config)")
        live = self.live_servers.get(engine) or (self.live_servers.get("mysql") if engine == "mariadb" else None)
        if live and self.destructive:
            try:
                server = _Server(engine, live, f"--dbaudit-db server {safe_label(live)} (--dbaudit-allow-destructive)")
                server._exec("SELECT 1")
                return server
            except Exception as exc:
                reasons.append(f"--dbaudit-db server {safe_label(live)}: {redact(str(exc).splitlines()[0])}")
        elif live:
            reasons.append(f"the --dbaudit-db server {safe_label(live)} is used for drills only with "
                           "--dbaudit-allow-destructive")
        raise TargetUnavailable(f"no throwaway {engine} database: " + "; ".join(reasons))

    def _container(self, engine: str) -> _Server:
        docker = _docker_client()
        if docker is None:
            raise TargetUnavailable("no Docker engine answers")
        _remove_stale_containers(docker)
        image = os.environ.get(IMAGE_ENV[engine]) or (self.settings.get("images") or {}).get(engine) or DEFAULT_IMAGES[engine]
        os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")  # we clean up ourselves
        start = secrets.token_hex(6)  # names this one container, to remove it if its start is interrupted
        labels = {LABEL_OWNER: "pytest-dbaudit", LABEL_PID: str(os.getpid()), LABEL_HOST: socket.gethostname(),
                  LABEL_START: start}
        password = secrets.token_urlsafe(12)
        register_secret(password)
        try:
            if engine == "postgresql":
                try:
                    from testcontainers.community.postgres import PostgresContainer
                except ImportError:  # testcontainers < 4.14
                    from testcontainers.postgres import PostgresContainer
                container = PostgresContainer(image, username="dbaudit", password=password, dbname="dbaudit", driver=None)
            else:
                try:
                    from testcontainers.community.mysql import MySqlContainer
                except ImportError:
                    from testcontainers.mysql import MySqlContainer
                container = MySqlContainer(image, username="dbaudit", root_password=password, password=password,
                                           dbname="dbaudit", dialect="pymysql")
        except ImportError:
            raise TargetUnavailable("testcontainers is not installed (pip install 'pytest-dbaudit[containers]')") from None
        container.with_command(NO_DURABILITY[engine])
        container.with_kwargs(labels=labels)
        _install_sigterm_handler()
        started = False
        try:
            container.start()
            started = True
            host = container.get_container_host_ip()
            if engine == "postgresql":
                admin = f"postgresql://dbaudit:{password}@{host}:{container.get_exposed_port(5432)}/dbaudit"
            else:
                admin = f"mysql+pymysql://root:{password}@{host}:{container.get_exposed_port(3306)}/dbaudit"
            return _Server(engine, admin, f"container {image}", container)
        except BaseException as exc:
            # Interrupted (SIGTERM, Ctrl-C) or failed anywhere before the server is ours to close: the
            # container may exist before testcontainers knows its id, so remove it by label, not by handle.
            _remove_started(docker, start)
            if not isinstance(exc, Exception):
                raise
            why = redact(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            raise TargetUnavailable(f"container {image}: {why}" if started else
                                    f"container {image} did not start: {why}") from None


def _docker_client():
    try:
        import docker
    except ImportError:
        return None
    try:
        client = docker.from_env(timeout=5)
        client.ping()
        return client
    except Exception:
        return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_started(client, start: str) -> None:
    """The container of one start, found by its label."""
    try:
        containers = client.containers.list(all=True, filters={"label": f"{LABEL_START}={start}"})
    except Exception:
        return
    for c in containers:
        try:
            c.remove(force=True, v=True)
        except Exception:
            pass


def _remove_stale_containers(client) -> None:
    """Containers of earlier runs on this host whose process is gone (killed, interrupted)."""
    try:
        containers = client.containers.list(all=True, filters={"label": f"{LABEL_OWNER}=pytest-dbaudit"})
    except Exception:
        return
    me = socket.gethostname()
    for c in containers:
        labels = c.labels or {}
        if labels.get(LABEL_HOST) != me:
            continue
        try:
            pid = int(labels.get(LABEL_PID, "0"))
        except ValueError:
            continue
        if pid != os.getpid() and not _pid_alive(pid):
            try:
                c.remove(force=True, v=True)
            except Exception:
                pass


_handler_installed = False


def _install_sigterm_handler() -> None:
    """Turn SIGTERM into KeyboardInterrupt so pytest unwinds and our cleanup runs."""
    global _handler_installed
    if _handler_installed or signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, None):
        return
    try:
        signal.signal(signal.SIGTERM, lambda signum, frame: (_ for _ in ()).throw(KeyboardInterrupt()))
        _handler_installed = True
    except ValueError:  # not the main thread
        pass
