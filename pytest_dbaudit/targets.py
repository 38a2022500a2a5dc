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
    scheme, _, rest = url.partition("://")
    parts = urlsplit(f"{scheme}://{_quote_userinfo(rest)}")
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{host}" if user else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def driver_url(url: str) -> str:
    """Name the driver explicitly: SQLAlchemy's default for ``postgresql://`` changed between
    releases (psycopg2 in 2.0, psycopg 3 in 2.1), so use whichever one is installed."""
    import importlib.util

    scheme, sep, rest = url.partition("://")
    rest = _quote_userinfo(rest)
    base = scheme.lower()
    if base in ("postgres", "postgresql"):
        if importlib.util.find_spec("psycopg2") is not None:
            return f"postgresql+psycopg2://{rest}"
        if importlib.util.find_spec("psycopg") is not None:
            return f"postgresql+psycopg://{rest}"
        return f"postgresql://{rest}"
    if base in ("mysql", "mariadb") or base.startswith(("mariadb+", "mysql+")):
        driver = scheme.split("+", 1)[1] if "+" in scheme else "pymysql"
        return f"mysql+{driver}://{rest}"
    return f"{scheme}{sep}{rest}"


def _quote_userinfo(rest: str) -> str:
    """``user:p@ss:w/rd@host/db`` -> ``user:p%40ss%3Aw%2Frd@host/db``: split at the last '@' of
    the authority, because SQLAlchemy's URL parser stops at the first and would send part of the
    password as the host name (and print it in the error)."""
    from urllib.parse import quote

    cut = len(rest)
    for ch in "?#":
        i = rest.find(ch)
        if i >= 0:
            cut = min(cut, i)
    head, tail = rest[:cut], rest[cut:]
    if head.count("@") < 1:
        return rest
    userinfo, _, hostpart = head.rpartition("@")
    user, colon, password = userinfo.partition(":")
    if not colon:
        return rest
    if "%" in password and unquote(password) != password:
        return rest  # already encoded
    return f"{user}:{quote(password, safe='')}@{hostpart}{tail}"


def live_target(url: str, name: str = "") -> Target:
    engine = engine_of_url(url)
    scheme, _, rest = url.partition("://")
    parts = urlsplit(f"{scheme}://{_quote_userinfo(rest)}")
    if parts.password:
        register_secret(parts.password)
        register_secret(unquote(parts.password))  # URL-encoded passwords show up decoded in errors
    return Target("live", safe_label(url), url=url, engine=engine, name=name)


def drill_target(engine: str) -> Target:
    return Target("drill", f"drill-{engine}", engine=engine)
