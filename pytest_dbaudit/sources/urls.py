"""Database URLs in committed files, found once and shared by the credential, client-TLS and
application-connection models (one definition of "a database URL", one pass over the files).

The password group runs to the *last* '@' before the host, because real passwords contain '@',
':' and '/'. It is kept only in memory (never in a repr) for the credential checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .walk import Repository, line_of

DSN_SCHEMES = (
    r"postgres(?:ql)?(?:\+\w+)?|mysql(?:\+\w+)?|mariadb(?:\+\w+)?|mongodb(?:\+srv)?|rediss?|amqps?|"
    r"mssql(?:\+\w+)?|sqlserver|oracle(?:\+\w+)?|cockroachdb(?:\+\w+)?|clickhouse(?:\+\w+)?|"
    r"jdbc:(?:postgresql|mysql|mariadb|sqlserver|oracle:thin)"
)
_URL = re.compile(
    rf"\b(?P<scheme>{DSN_SCHEMES})://(?:(?P<user>[^\s'\"`@/:]*)(?::(?P<password>[^\s'\"`]*))?@)?"
    rf"(?P<host>\[[^\]\s]+\]|[^\s/'\"`?#,;)@:]+)(?::(?P<port>\d+))?(?:/(?P<database>[\w\-.]*))?(?P<query>[^\s'\"`)]*)",
    re.IGNORECASE,
)
TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".tmpl", ".dist", ".tpl")
SKIP_SUFFIXES = (".lock", ".min.js", ".map", ".svg", ".png", ".jpg", ".gif", ".ico", ".pdf", ".woff", ".woff2")
SKIP_NAMES = frozenset({"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "uv.lock", "Cargo.lock", "go.sum"})
DOC_SUFFIXES = (".md", ".rst", ".txt", ".adoc")  # prose mentions URLs and options; it does not set them
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0", "host.docker.internal")


def skipped(name: str) -> bool:
    return name in SKIP_NAMES or name.endswith(SKIP_SUFFIXES)


def is_template(name: str) -> bool:
    return name.endswith(TEMPLATE_SUFFIXES) or ".example." in name or ".sample." in name


def is_local_host(host: str) -> bool:
    h = host.lower()
    return h in LOCAL_HOSTS or h.endswith(".localhost")


@dataclass(frozen=True)
class DbUrl:
    file: str
    line: int
    start: int  # offsets in the file, so other scanners can skip what is already a URL
    end: int
    scheme: str
    user: str
    host: str  # lower-cased, without the port
    port: str
    database: str
    query: str
    template: bool  # an example/template file
    prose: bool  # documentation
    password: str | None = field(default=None, repr=False)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def hostport(self) -> str:
        return f"{self.host}:{self.port}" if self.port else self.host

    @property
    def placeholder_host(self) -> bool:
        return "{" in self.host or "$" in self.host or self.host in ("", "host", "hostname")


def database_urls(repo: Repository) -> list[DbUrl]:
    return repo.model("database-urls", _scan)  # type: ignore[return-value]


def _scan(repo: Repository) -> list[DbUrl]:
    out: list[DbUrl] = []
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if skipped(name):
            continue
        text = repo.text(rel)
        if not text or "://" not in text:
            continue
        template, prose = is_template(name), name.endswith(DOC_SUFFIXES)
        for m in _URL.finditer(text):
            out.append(DbUrl(rel, line_of(text, m.start()), m.start(), m.end(), m["scheme"], m["user"] or "",
                             m["host"].lower(), m["port"] or "", m["database"] or "", m["query"] or "",
                             template, prose, m["password"]))
    return out
