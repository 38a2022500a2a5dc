"""Databases described by separate keys in committed env files: ``DB_HOST``/``DB_PORT``/``DB_USER``
(Laravel's ``DB_CONNECTION``, TypeORM's ``TYPEORM_*``, libpq's ``PGHOST``/``PGUSER``/``PGSSLMODE``...).

Keys sharing a prefix describe one database; the host key anchors the group. Passwords are not kept
here (credentials.py reports literal ones); only the engine, host, port, database, user and sslmode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .urls import is_template
from .walk import Repository

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
_HOST = re.compile(r"^(?P<prefix>\w*?(?:DB|DATABASE|POSTGRES|POSTGRESQL|PG|MYSQL|MARIADB|TYPEORM|SQL)_?)"
                   r"(?:HOST|HOSTNAME|SERVER)$", re.IGNORECASE)
_ENGINE_KEYS = ("CONNECTION", "ENGINE", "DIALECT", "TYPE", "DRIVER", "ADAPTER", "CLIENT")
_ENGINES = {"pgsql": "postgresql", "postgres": "postgresql", "postgresql": "postgresql", "pg": "postgresql",
            "mysql": "mysql", "mysql2": "mysql", "mariadb": "mariadb", "sqlsrv": "sqlserver", "mssql": "sqlserver"}
_PORTS = {"5432": "postgresql", "3306": "mysql"}


@dataclass(frozen=True)
class EnvDatabase:
    file: str
    line: int
    engine: str
    host: str
    port: str
    database: str
    user: str
    sslmode: str  # "" when the group sets none

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


def is_env_file(name: str) -> bool:
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def env_databases(repo: Repository) -> list[EnvDatabase]:
    return repo.model("env-databases", _scan)  # type: ignore[return-value]


def _unquote(value: str) -> str:
    value = value.split(" #", 1)[0].strip()
    return value[1:-1] if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"" else value


def _engine(prefix: str, values: dict[str, str], port: str) -> str:
    for key in _ENGINE_KEYS:
        raw = values.get(prefix + key, "").lower()
        if raw:
            return _ENGINES.get(raw.split("+", 1)[0], raw)
    p = prefix.upper()
    if "POSTGRES" in p or p.startswith("PG"):
        return "postgresql"
    if "MARIADB" in p:
        return "mariadb"
    if "MYSQL" in p:
        return "mysql"
    return _PORTS.get(port, "")


def _scan(repo: Repository) -> list[EnvDatabase]:
    out: list[EnvDatabase] = []
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if not is_env_file(name) or is_template(name):
            continue  # templates hold placeholders, not the system's databases
        values: dict[str, str] = {}
        lines: dict[str, int] = {}
        for n, line in enumerate((repo.text(rel) or "").splitlines(), 1):
            m = _LINE.match(line)
            if m:
                values[m.group(1).upper()] = _unquote(m.group(2))
                lines[m.group(1).upper()] = n
        for key, host in values.items():
            m = _HOST.match(key)
            if not m or not host or "$" in host or "{" in host:
                continue
            prefix = m.group("prefix").upper()
            get = lambda *names: next((values[prefix + k] for k in names if values.get(prefix + k)), "")  # noqa: E731
            port = get("PORT")
            engine = _engine(prefix, values, port)
            if not engine:
                continue  # a host with no engine named anywhere: not evidently a database
            out.append(EnvDatabase(rel, lines[key], engine, host.lower(), port,
                                   get("NAME", "DATABASE", "DB", "DBNAME"), get("USER", "USERNAME"),
                                   get("SSLMODE", "SSL_MODE").lower()))
    return out
