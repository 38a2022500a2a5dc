"""Audit targets: the repository, live databases, drill engines and attestations.

A target's label is what users see in test ids and reports; it never carries a password.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from .errors import DbauditUsageError
from .redact import register_secret

SCHEME_ENGINES = {
    "postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite",
}


@dataclass(frozen=True)
class Target:
    kind: str  # "repo" | "live" | "drill" | "attest"
    label: str  # safe to print
    url: str | None = None  # live: the real URL, may hold a password (never print)
    engine: str | None = None  # live: postgresql|mysql|sqlite; drill: postgresql|mysql|mariadb|sqlite
    name: str = ""  # optional name from an inventory of targets

    def __repr__(self) -> str:  # dataclass repr would include the URL
        return f"Target({self.kind}, {self.label})"


REPO = Target("repo", "repo")
ATTEST = Target("attest", "attest")
NO_LIVE = Target("live", "no-database")


def engine_of_url(url: str) -> str:
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower() if "://" in url else ""
    engine = SCHEME_ENGINES.get(scheme)
    if not engine:
        raise DbauditUsageError(
            f"--dbaudit-db: unsupported URL scheme {scheme or url[:20]!r}; use postgresql://, "
            "mysql+pymysql:// (MySQL and MariaDB) or sqlite:///"
        )
    return engine


def safe_label(url: str) -> str:
    """The URL without password and query string: ``postgresql://app@db:5432/shop``."""
    if url.lower().startswith("sqlite"):
        return url.split("?", 1)[0]
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{host}" if user else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def live_target(url: str, name: str = "") -> Target:
    engine = engine_of_url(url)
    parts = urlsplit(url)
    if parts.password:
        register_secret(parts.password)
        register_secret(unquote(parts.password))  # URL-encoded passwords show up decoded in errors
    return Target("live", safe_label(url), url=url, engine=engine, name=name)


def drill_target(engine: str) -> Target:
    return Target("drill", f"drill-{engine}", engine=engine)
