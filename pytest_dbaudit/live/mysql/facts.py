"""Facts several MySQL/MariaDB probes read, each fetched once per target (``db.memo``).

Global variables and status are visible to every account; accounts, replication and sessions need
the grants the probes declare (``needs=``), so those readers are only called from such probes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ...outcomes import Undecided

# Authentication plugins that check a stored secret: an empty one means "no password".
PASSWORD_PLUGINS = {"", "mysql_native_password", "mysql_old_password", "caching_sha2_password", "sha256_password",
                    "ed25519", "parsec", "client_ed25519"}
# Built-in accounts of the server itself (locked or socket-only on a healthy install).
SYSTEM_USERS = {"mariadb.sys", "mysql.sys", "mysql.session", "mysql.infoschema", "mysql"}
ADMIN_PRIVS = ("Super_priv", "Grant_priv", "File_priv", "Process_priv", "Shutdown_priv", "Create_user_priv",
               "Reload_priv", "Repl_slave_priv")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def variables(db) -> dict[str, str]:
    """``SHOW GLOBAL VARIABLES`` (lower-case names): the server-wide values, not our session's timeouts."""
    return db.memo("my_variables", lambda d: {str(r["Variable_name"]).lower(): "" if r["Value"] is None
                                              else str(r["Value"]) for r in d.rows("SHOW GLOBAL VARIABLES")})


def status(db) -> dict[str, str]:
    return db.memo("my_status", lambda d: {str(r["Variable_name"]).lower(): "" if r["Value"] is None
                                           else str(r["Value"]) for r in d.rows("SHOW GLOBAL STATUS")})


def var(db, name: str, default: str | None = None) -> str | None:
    return variables(db).get(name.lower(), default)


def stat(db, name: str) -> float | None:
    value = status(db).get(name.lower())
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def need_stat(db, name: str) -> float:
    value = stat(db, name)
    if value is None:
        raise Undecided(f"the server reports no {name} status variable")
    return value


def on(value: Any) -> bool:
    return str(value).strip().upper() in ("ON", "1", "YES", "TRUE", "FORCE", "FORCE_PLUS_PERMANENT")


def uptime_s(db) -> float:
    return stat(db, "Uptime") or 0.0


def young(db, p, what: str = "counters") -> None:
    """MySQLTuner's rule: cumulative counters of a server up for less than a day say little."""
    up = uptime_s(db)
    if up < 86400:
        p.note(f"{what} cover only {up / 3600:.1f} h since the server started (less than 24 h: treat with care)")


def mysql_at_least(db, *version: int) -> bool:
    from ..preflight import _version

    return db.flavor == "mysql" and _version(db.version) >= version


def plugins(db) -> dict[str, dict[str, Any]]:
    """information_schema.PLUGINS by lower-case name (visible to every account)."""
    return db.memo("my_plugins", lambda d: {str(r["PLUGIN_NAME"]).lower(): r for r in d.rows(
        "SELECT PLUGIN_NAME, PLUGIN_STATUS, PLUGIN_TYPE, PLUGIN_LIBRARY, PLUGIN_LICENSE FROM information_schema.PLUGINS")})


def plugin_active(db, *names: str) -> str:
    for name in names:
        row = plugins(db).get(name.lower())
        if row and str(row["PLUGIN_STATUS"]).upper() == "ACTIVE":
            return name
    return ""


# -- accounts (needs mysql_user) ----------------------------------------------------------------------------

@dataclass
class Account:
    user: str
    host: str
    auth: list[tuple[str, str]]  # (plugin, stored secret) per accepted method; MariaDB may chain several (OR)
    locked: bool = False
    role: bool = False
    ssl_type: str = ""
    privs: set[str] = field(default_factory=set)  # global *_priv columns that are 'Y'
    password_lifetime: int | None = None  # days; None = server default
    failed_login_attempts: int = 0

    @property
    def name(self) -> str:
        return f"'{self.user}'@'{self.host}'"

    @property
    def system(self) -> bool:
        return self.user in SYSTEM_USERS

    @property
    def admin_privs(self) -> list[str]:
        names = {"Grant_priv": "GRANT OPTION", "Repl_slave_priv": "REPLICATION SLAVE"}
        return [names.get(p, p.replace("_priv", "").replace("_", " ").upper()) for p in ADMIN_PRIVS if p in self.privs]


def accounts(db) -> list[Account]:
    return db.memo("my_accounts", _read_accounts)


def _read_accounts(db) -> list[Account]:
    rows = db.rows("SELECT * FROM mysql.user")
    by_key: dict[tuple[str, str], Account] = {}
    for r in rows:
        user, host = str(r.get("User") or ""), str(r.get("Host") or "")
        privs = {k for k, v in r.items() if k.endswith("_priv") and str(v).upper() == "Y"}
        lifetime = r.get("password_lifetime")
        attempts = 0
        attrs = r.get("User_attributes")  # MySQL 8.0.19+: {"Password_locking": {"failed_login_attempts": n}}
        if attrs:
            try:
                attempts = int((json.loads(attrs).get("Password_locking") or {}).get("failed_login_attempts") or 0)
            except (ValueError, AttributeError, TypeError):
                attempts = 0
        acc = Account(user, host, [(str(r.get("plugin") or ""), _text(r.get("authentication_string") or r.get("Password")))],
                      locked=str(r.get("account_locked") or "N").upper() == "Y",
                      role=str(r.get("is_role") or "N").upper() == "Y", ssl_type=str(r.get("ssl_type") or ""),
                      privs=privs, password_lifetime=int(lifetime) if lifetime not in (None, "") else None,
                      failed_login_attempts=attempts)
        by_key[(user, host)] = acc
    if db.flavor == "mariadb":  # mysql.global_priv is the source of truth: chained methods, locks, roles
        for r in db.rows("SELECT User, Host, Priv FROM mysql.global_priv"):
            key = (str(r["User"]), str(r["Host"]))
            try:
                priv = json.loads(r["Priv"] or "{}")
            except ValueError:
                continue
            acc = by_key.get(key) or Account(key[0], key[1], [])
            top = (str(priv.get("plugin") or "mysql_native_password"), _text(priv.get("authentication_string")))
            chain = priv.get("auth_or")
            acc.auth = [(str(a.get("plugin") or top[0]), _text(a.get("authentication_string"))) if a else top
                        for a in chain] if chain else [top]
            acc.locked = bool(priv.get("account_locked"))
            acc.role = bool(priv.get("is_role")) or acc.role
            if "password_lifetime" in priv and priv["password_lifetime"] != -1:
                acc.password_lifetime = int(priv["password_lifetime"])
            by_key[key] = acc
    return list(by_key.values())


def _text(v: Any) -> str:
    if isinstance(v, (bytes, bytearray)):
        return v.decode("latin-1")
    return "" if v is None else str(v)


def login_accounts(db) -> list[Account]:
    """Accounts that can log in: roles and locked accounts excluded (MySQLTuner #102, DevSec PR #82)."""
    return [a for a in accounts(db) if not a.role and not a.locked]


# -- the connected account's own grants (no privilege needed) ----------------------------------------------

def my_grants(db) -> list[str]:
    def read(d) -> list[str]:
        lines = [str(next(iter(r.values()))) for r in d.rows("SHOW GRANTS")]
        return lines

    return db.memo("my_grants", read)


# -- replication and topology (needs replication) ----------------------------------------------------------

def replica_rows(db) -> list[dict[str, Any]]:
    """One row per replication channel this server replicates from (empty: not a replica)."""
    def read(d) -> list[dict[str, Any]]:
        if d.flavor == "mariadb":
            sql = "SHOW ALL SLAVES STATUS"
        elif mysql_at_least(d, 8, 0, 22):
            sql = "SHOW REPLICA STATUS"
        else:
            sql = "SHOW SLAVE STATUS"
        return d.rows(sql)

    return db.memo("my_replica_rows", read)


def rv(row: dict[str, Any], *names: str) -> Any:
    """A replica-status column under its MySQL 8.0.22+ or legacy/MariaDB name."""
    for n in names:
        if n in row:
            return row[n]
    return None


def channel(row: dict[str, Any]) -> str:
    name = rv(row, "Connection_name", "Channel_Name") or ""
    host = rv(row, "Source_Host", "Master_Host") or "?"
    return f"channel {name!r} from {host}" if name else f"replication from {host}"


def galera(db) -> dict[str, str] | None:
    if not on(var(db, "wsrep_on", "OFF")):
        return None
    st = status(db)
    return {k: st.get(k, "") for k in ("wsrep_cluster_status", "wsrep_cluster_size", "wsrep_ready",
                                       "wsrep_local_state_comment", "wsrep_flow_control_paused",
                                       "wsrep_connected")}


def group_replication_members(db) -> list[dict[str, Any]] | None:
    if db.flavor != "mysql" or not plugin_active(db, "group_replication"):
        return None
    return db.rows("SELECT MEMBER_HOST, MEMBER_STATE, MEMBER_ROLE FROM performance_schema.replication_group_members")


def topology(db, caps) -> dict[str, Any]:
    """What this server is: replica / galera / group-replication / primary (replicas attached) / standalone."""
    def read(d) -> dict[str, Any]:
        t: dict[str, Any] = {"replica_of": [channel(r) for r in replica_rows(d)], "galera": galera(d),
                             "group": None, "dump_threads": None}
        if caps.has("performance_schema"):
            t["group"] = group_replication_members(d)
        if caps.has("process"):  # replicas attached to this server show as binlog dump threads
            t["dump_threads"] = int(d.scalar(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'") or 0)
        if t["galera"]:
            t["kind"] = "galera"
        elif t["group"]:
            t["kind"] = "group-replication"
        elif t["replica_of"]:
            t["kind"] = "replica"
        elif t["dump_threads"]:
            t["kind"] = "primary"
        elif t["dump_threads"] == 0:
            t["kind"] = "standalone"
        else:
            t["kind"] = "not-a-replica"  # without PROCESS we cannot see replicas attached to it
        return t

    return db.memo("my_topology", read)


# -- tables of the audited schema (needs select_all) --------------------------------------------------------

def tables(db) -> list[dict[str, Any]]:
    if not db.database:
        raise Undecided("the URL names no database: add /<database> to audit its tables")
    return db.memo("my_tables", lambda d: d.rows(
        "SELECT TABLE_NAME, ENGINE, TABLE_ROWS, DATA_LENGTH, INDEX_LENGTH, DATA_FREE, AUTO_INCREMENT, CREATE_OPTIONS "
        "FROM information_schema.TABLES WHERE TABLE_SCHEMA = :s AND TABLE_TYPE = 'BASE TABLE'", s=d.database))


def ps_on(db) -> bool:
    return on(var(db, "performance_schema", "OFF"))


def need_ps(db) -> None:
    if not ps_on(db):
        raise Undecided("performance_schema is OFF on this server, so statement and I/O statistics are not "
                        "collected (set performance_schema = ON in the server configuration and restart)")


def mb(n: Any) -> float:
    return float(n or 0) / 1048576
