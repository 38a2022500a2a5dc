"""Facts several PostgreSQL probes read: all settings in one query, per-database/per-role settings,
the age of the statistics, and small helpers (duration parsing, Undecided with a GRANT)."""

from __future__ import annotations

import re
import time
from typing import Any

from ...outcomes import Undecided

# The audit connection sets these itself (connection.py): pg_settings then shows our value, not
# the server's, so their server-wide value comes from pg_file_settings or the built-in default.
SESSION_OVERRIDES = {"statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout",
                     "default_transaction_read_only"}


def settings(db) -> dict[str, dict[str, Any]]:
    """Every setting the audit role can see (superuser-only ones are missing without pg_read_all_settings)."""
    return db.memo("pg_settings", lambda d: {r["name"]: r for r in d.rows(
        "SELECT name, setting, unit, source, context, vartype, boot_val, reset_val, pending_restart "
        "FROM pg_catalog.pg_settings")})


def setting(db, name: str) -> str | None:
    row = settings(db).get(name)
    return None if row is None else row["setting"]


def need_setting(db, name: str) -> str:
    """A setting's value, or unknown when the role cannot see it."""
    value = setting(db, name)
    if value is None:
        raise undecided(db, f"the setting {name} is hidden from the audit role", "pg_read_all_settings")
    return value


def is_on(value: str | None) -> bool:
    return (value or "").lower() in ("on", "true", "yes", "1")


def undecided(db, reason: str, need: str) -> Undecided:
    """Undecided carrying the GRANT that would decide it."""
    from ..preflight import capabilities, grant_for

    exc = Undecided(reason)
    exc.grant = grant_for(capabilities(db), need)
    return exc


def db_role_settings(db) -> list[dict[str, Any]]:
    """ALTER DATABASE/ROLE ... SET values that apply to this database: role ('' = every role),
    database ('' = every database), name, value (raw text as written, e.g. '5min')."""

    def read(d):
        out = []
        for r in d.rows("""
            SELECT coalesce(r.rolname, '') AS role, coalesce(b.datname, '') AS database, s.setconfig AS config,
                   coalesce(r.rolsuper, false) AS superuser, coalesce(r.rolcanlogin, false) AS login
            FROM pg_catalog.pg_db_role_setting s
            LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
            LEFT JOIN pg_catalog.pg_database b ON b.oid = s.setdatabase
            WHERE s.setdatabase = 0 OR b.datname = current_database()"""):
            for item in r["config"] or []:
                name, _, value = item.partition("=")
                out.append({"role": r["role"], "database": r["database"], "name": name.lower(), "value": value,
                            "superuser": r["superuser"], "login": r["login"]})
        return out

    return db.memo("pg_db_role_settings", read)


def file_settings(db) -> dict[str, str] | None:
    """Applied values from the configuration files (postgresql.conf, ALTER SYSTEM); None if hidden."""
    from ..preflight import capabilities

    if not capabilities(db).has("pg_file_settings"):
        return None
    return db.memo("pg_file_settings", lambda d: {r["name"]: r["setting"] for r in d.rows(
        "SELECT name, setting FROM pg_catalog.pg_file_settings WHERE applied AND error IS NULL ORDER BY seqno")})


def server_value(db, name: str) -> str | None:
    """The server-wide value of a setting, looking past the audit session's own overrides; None if
    it cannot be known (a session override whose file value is hidden)."""
    row = settings(db).get(name)
    if row is None:
        return None
    if name not in SESSION_OVERRIDES and row["source"] not in ("client", "session"):
        # per-database/per-role sources are reported separately by db_role_settings
        if row["source"] in ("database", "user", "database user"):
            files = file_settings(db)
            return files.get(name, row["boot_val"]) if files is not None else None
        return row["setting"]
    files = file_settings(db)
    if files is None:
        return None
    return files.get(name, row["boot_val"])


_UNITS_MS = {"us": 0.001, "ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}


def duration_ms(value: str | None, default_unit: str = "ms") -> float | None:
    """'5min' -> 300000.0; '0' -> 0; '-1' -> -1; a bare number is in the setting's own unit."""
    if value is None:
        return None
    m = re.fullmatch(r"\s*'?(-?[\d.]+)\s*([a-z]*)'?\s*", str(value).lower())
    if not m:
        return None
    unit = m.group(2) or default_unit
    if unit not in _UNITS_MS:
        return None
    return float(m.group(1)) * _UNITS_MS[unit]


def stats_age_s(db) -> tuple[float, str]:
    """Seconds of activity the cumulative statistics of this database cover, and how that was found.

    pg_stat_database.stats_reset when set; else the server's start (since PostgreSQL 15 statistics
    survive clean restarts, so this can under- but not over-state the age of old statistics)."""

    def read(d):
        r = d.rows("""SELECT extract(epoch FROM now() - d.stats_reset) AS since_reset,
                             extract(epoch FROM now() - pg_postmaster_start_time()) AS since_start
                      FROM pg_catalog.pg_stat_database d WHERE d.datname = current_database()""")[0]
        if r["since_reset"] is not None:
            return float(r["since_reset"]), "since the statistics reset"
        return float(r["since_start"]), "since the server started"

    return db.memo("pg_stats_age", read)


def require_stats_age(db, p, hours: float) -> float:
    """Unknown (not pass, not fail) while the statistics are too young to judge."""
    age, how = stats_age_s(db)
    p.note(f"statistics cover {age / 3600:.1f} h ({how})")
    if age < hours * 3600:
        raise Undecided(f"statistics cover only {age / 3600:.1f} h ({how}); judged after {hours:g} h")
    return age


def in_recovery(db) -> bool:
    return bool(db.memo("pg_in_recovery", lambda d: d.scalar("SELECT pg_catalog.pg_is_in_recovery()")))


def major(db) -> int:
    from ..preflight import capabilities

    return capabilities(db).version[0]


def clock(db) -> tuple[float, float, float]:
    """(server epoch, local epoch at the midpoint, half the round trip)."""
    t0 = time.time()
    server = float(db.scalar("SELECT extract(epoch FROM clock_timestamp())"))
    t1 = time.time()
    return server, (t0 + t1) / 2, (t1 - t0) / 2


def fmt_s(seconds: float) -> str:
    seconds = float(seconds)
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} d"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.0f} s"


def fmt_bytes(n: float) -> str:
    n = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


USER_SCHEMAS = ("n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
                "AND n.nspname NOT LIKE 'pg\\_temp%'")
