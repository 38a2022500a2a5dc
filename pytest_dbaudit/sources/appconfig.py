"""Where the application says its databases are: DSNs in code and env files, Spring/JDBC URLs,
Django ``DATABASES``, Rails ``config/database.yml``, ``DB_HOST``-style keys in env files.
Credentials are never kept here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .envfile import env_databases
from .structured import ParseError, parsed
from .urls import DOC_SUFFIXES, database_urls, skipped
from .walk import Repository, line_of

_DJANGO_ENGINE = re.compile(r"""['"]ENGINE['"]\s*:\s*['"]django\.db\.backends\.(\w+)['"]""")
_DJANGO_KEY = re.compile(r"""['"](HOST|NAME|PORT|USER)['"]\s*:\s*['"]([^'"]*)['"]""")
ENGINES = {"postgres": "postgresql", "postgresql": "postgresql", "psycopg": "postgresql", "mysql": "mysql",
           "mariadb": "mariadb", "sqlite3": "sqlite", "sqlite": "sqlite", "mongodb": "mongodb", "redis": "redis",
           "rediss": "redis", "oracle": "oracle", "mssql": "sqlserver", "sqlserver": "sqlserver", "mysql2": "mysql",
           "postgis": "postgresql", "cockroachdb": "cockroachdb", "clickhouse": "clickhouse", "trilogy": "mysql"}


@dataclass(frozen=True)
class AppConnection:
    location: str
    engine: str
    host: str
    port: str
    database: str
    via: str  # "dsn" | "env" | "django" | "rails:<environment>"
    user: str = ""  # the role it connects as (a name, not a secret)


def engine_name(raw: str) -> str:
    base = raw.lower().split("+", 1)[0].replace("jdbc:", "").split(":", 1)[0]
    return ENGINES.get(base, base)


def app_connections(repo: Repository) -> list[AppConnection]:
    return repo.model("app-connections", _scan)  # type: ignore[return-value]


def _scan(repo: Repository) -> list[AppConnection]:
    out: list[AppConnection] = [
        AppConnection(u.location, engine_name(u.scheme), u.host, u.port, u.database, "dsn", u.user)
        for u in database_urls(repo)
        if not u.prose and u.file.rsplit("/", 1)[-1] != "database.yml" and not u.placeholder_host
        and u.host not in ("localhost", "127.0.0.1")
    ]
    out.extend(AppConnection(e.location, e.engine, e.host, e.port, e.database, "env", e.user)
               for e in env_databases(repo) if e.host not in ("localhost", "127.0.0.1"))
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if skipped(name) or name.endswith(DOC_SUFFIXES):
            continue
        if name == "database.yml":
            out.extend(_rails(repo, rel))
        elif name.endswith(".py"):
            text = repo.text(rel) or ""
            if "DATABASES" in text:
                out.extend(_django(rel, text))
    return out


def _django(rel: str, text: str) -> list[AppConnection]:
    out = []
    for m in _DJANGO_ENGINE.finditer(text):
        block = text[m.start(): m.start() + 600].split("}", 1)[0]
        keys = {k: v for k, v in _DJANGO_KEY.findall(block)}
        host = keys.get("HOST", "").lower()
        if engine_name(m.group(1)) != "sqlite" and (not host or "{" in host):
            host = "(from the environment)"
        out.append(AppConnection(f"{rel}:{line_of(text, m.start())}", engine_name(m.group(1)), host or "(local file)",
                                 keys.get("PORT", ""), keys.get("NAME", ""), "django", keys.get("USER", "")))
    return out


def _rails(repo: Repository, rel: str) -> list[AppConnection]:
    docs = parsed(repo, rel, "yaml")
    if isinstance(docs, ParseError) or not docs or not isinstance(docs[0], dict):
        return []
    out = []
    for env, cfg in docs[0].items():
        if not isinstance(cfg, dict) or "adapter" not in cfg:
            continue
        host = str(cfg.get("host") or ("(from DATABASE_URL)" if cfg.get("url") else "(local socket)")).lower()
        if "<%" in host:
            host = "(from the environment)"
        out.append(AppConnection(f"{rel}:{getattr(cfg, 'line', 0)}", engine_name(str(cfg["adapter"])), host,
                                 str(cfg.get("port") or ""), str(cfg.get("database") or ""), f"rails:{env}",
                                 str(cfg.get("username") or "")))
    return out
