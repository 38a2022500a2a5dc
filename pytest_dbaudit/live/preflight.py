"""Preflight: what the audit role can see on a live server, decided once per target.

Probes declare needs by name (``needs=("pg_read_all_stats",)``); a need the role lacks makes the
probe unknown with the GRANT below, before any query runs. That is the difference between "no
problem found" and "could not look", which tools that report OK without privileges blur.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# need -> (what it lets a probe see, the statement that grants it; {role} is the audit role)
PG_NEEDS: dict[str, tuple[str, str]] = {
    "pg_read_all_stats": ("other sessions' queries and states, pg_stat_statements of every role",
                          "GRANT pg_read_all_stats TO {role};"),
    "pg_read_all_settings": ("settings hidden from ordinary roles (data_directory, archive_command ...)",
                             "GRANT pg_read_all_settings TO {role};"),
    "pg_monitor": ("WAL and archive-status directories, every monitoring view", "GRANT pg_monitor TO {role};"),
    "pg_stat_statements": ("statement statistics (the extension in this database)",
                           "CREATE EXTENSION pg_stat_statements; -- with shared_preload_libraries = 'pg_stat_statements'"),
    "pg_authid": ("stored password verifiers (pg_authid)",
                  "GRANT SELECT ON pg_catalog.pg_authid TO {role}; -- exposes password hashes; or run as a superuser"),
    "pg_hba_file_rules": ("the parsed pg_hba.conf",
                          "GRANT SELECT ON pg_catalog.pg_hba_file_rules TO {role}; "
                          "GRANT EXECUTE ON FUNCTION pg_catalog.pg_hba_file_rules() TO {role};"),
    "pg_file_settings": ("configuration-file errors (pg_file_settings)",
                         "GRANT SELECT ON pg_catalog.pg_file_settings TO {role}; "
                         "GRANT EXECUTE ON FUNCTION pg_catalog.pg_show_all_file_settings() TO {role};"),
}
MY_NEEDS: dict[str, tuple[str, str]] = {
    "process": ("every session and transaction (PROCESSLIST, INNODB_TRX)", "GRANT PROCESS ON *.* TO {role};"),
    "mysql_user": ("accounts, hosts, authentication plugins and password hashes",
                   "GRANT SELECT ON mysql.user TO {role};"),
    "performance_schema": ("statement digests, waits and locks", "GRANT SELECT ON performance_schema.* TO {role};"),
    "replication": ("replication and binary-log status", "GRANT REPLICATION CLIENT ON *.* TO {role};"),
    "select_all": ("every table of the audited schema in information_schema",
                   "GRANT SELECT ON {database}.* TO {role};"),
}
MARIADB_GRANTS = {
    "mysql_user": "GRANT SELECT ON mysql.global_priv TO {role}; GRANT SELECT ON mysql.user TO {role};",
    "replication": "GRANT SLAVE MONITOR, BINLOG MONITOR ON *.* TO {role};",
}


@dataclass
class Capabilities:
    flavor: str
    version: tuple[int, ...]
    role: str  # as GRANT wants it: app_audit, 'audit'@'%'
    superuser: bool = False
    held: set[str] = field(default_factory=set)
    platform: str = ""  # "" (self-hosted or not recognised) | aws-rds | aws-aurora | gcp-cloudsql | azure
    replica: bool = False
    database: str = ""
    facts: dict[str, Any] = field(default_factory=dict)  # preflight observations shown in the report

    def has(self, need: str) -> bool:
        return self.superuser or need in self.held


def missing(caps: Capabilities, needs: tuple[str, ...]) -> list[str]:
    return [n for n in needs if not caps.has(n)]


def grant_for(caps: Capabilities, need: str) -> str:
    if caps.flavor == "postgresql":
        table = PG_NEEDS
    elif caps.flavor in ("mysql", "mariadb"):
        table = MY_NEEDS
        if caps.flavor == "mariadb" and need in MARIADB_GRANTS:
            return MARIADB_GRANTS[need].format(role=caps.role)
    else:
        return ""
    if need not in table:
        return ""
    return table[need][1].format(role=caps.role, database=_my_ident(caps.database) if caps.database else "*")


def capabilities(db: Any) -> Capabilities:
    """Once per target (cached on the LiveDatabase)."""
    cached = db.cache.get("capabilities")
    if cached is None:
        fn = {"postgresql": _postgres, "mysql": _mysql, "sqlite": _sqlite}[db.dialect]
        cached = db.cache["capabilities"] = fn(db)
    return cached


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text)[:3])


_PG_PREFLIGHT = """
SELECT current_user AS role, r.rolsuper AS superuser, pg_is_in_recovery() AS replica,
  (SELECT array_agg(g.rolname::text) FROM pg_catalog.pg_roles g
    WHERE g.rolname IN ('pg_monitor', 'pg_read_all_stats', 'pg_read_all_settings')
      AND pg_catalog.pg_has_role(current_user, g.oid, 'USAGE')) AS member_of,
  EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_stat_statements') AS pgss,
  pg_catalog.has_table_privilege('pg_catalog.pg_authid', 'SELECT') AS authid,
  pg_catalog.has_table_privilege('pg_catalog.pg_hba_file_rules', 'SELECT') AS hba,
  pg_catalog.has_table_privilege('pg_catalog.pg_file_settings', 'SELECT') AS file_settings,
  (SELECT array_agg(rolname::text) FROM pg_catalog.pg_roles
    WHERE rolname IN ('rdsadmin', 'rds_superuser', 'cloudsqlsuperuser', 'azure_pg_admin', 'azuresu')) AS platform_roles,
  EXISTS (SELECT 1 FROM pg_catalog.pg_proc WHERE proname = 'aurora_version') AS aurora
FROM pg_catalog.pg_roles r WHERE r.rolname = current_user
"""


def _postgres(db: Any) -> Capabilities:
    row = db.rows(_PG_PREFLIGHT)[0]
    held = set(row["member_of"] or []) | {"select_all"}  # PostgreSQL catalogs list every table to every role
    if "pg_monitor" in held:  # pg_monitor includes the other two
        held |= {"pg_read_all_stats", "pg_read_all_settings"}
    for need, ok in (("pg_stat_statements", row["pgss"]), ("pg_authid", row["authid"]),
                     ("pg_hba_file_rules", row["hba"]), ("pg_file_settings", row["file_settings"])):
        if ok:
            held.add(need)
    roles = set(row["platform_roles"] or [])
    platform = ("aws-aurora" if row["aurora"] else "aws-rds" if roles & {"rdsadmin", "rds_superuser"}
                else "gcp-cloudsql" if "cloudsqlsuperuser" in roles else "azure" if roles & {"azure_pg_admin", "azuresu"}
                else "")
    caps = Capabilities("postgresql", _version(db.version), _pg_ident(row["role"]), bool(row["superuser"]), held,
                        platform, bool(row["replica"]), db.database)
    if row["pgss"] is False:
        caps.facts["pg_stat_statements"] = "not installed in this database"
    return caps


def _pg_ident(name: str) -> str:
    return name if re.fullmatch(r"[a-z_][a-z0-9_$]*", name) else '"' + name.replace('"', '""') + '"'


def _my_ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


_MY_ME = "CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')"
_MY_PREFLIGHT = f"""
SELECT {_MY_ME} AS me, @@version_comment AS comment, @@basedir AS basedir, @@read_only AS read_only,
  (SELECT GROUP_CONCAT(PRIVILEGE_TYPE) FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = {_MY_ME}) AS global_privs,
  (SELECT GROUP_CONCAT(CONCAT(TABLE_SCHEMA, ':', PRIVILEGE_TYPE)) FROM information_schema.SCHEMA_PRIVILEGES
    WHERE GRANTEE = {_MY_ME}) AS schema_privs,
  (SELECT GROUP_CONCAT(CONCAT(TABLE_SCHEMA, '.', TABLE_NAME, ':', PRIVILEGE_TYPE))
     FROM information_schema.TABLE_PRIVILEGES
    WHERE GRANTEE = {_MY_ME} AND TABLE_SCHEMA = 'mysql') AS table_privs
"""


def _mysql(db: Any) -> Capabilities:
    row = db.rows(_MY_PREFLIGHT)[0]
    glob = {p.strip().upper() for p in (row["global_privs"] or "").split(",") if p}
    schema = {tuple(p.split(":", 1)) for p in (row["schema_privs"] or "").split(",") if ":" in p}
    tables = {tuple(p.split(":", 1)) for p in (row["table_privs"] or "").split(",") if ":" in p}

    def select_on(schema_name: str) -> bool:
        return "SELECT" in glob or (schema_name, "SELECT") in schema or (
            schema_name.replace("_", "\\_"), "SELECT") in schema

    held: set[str] = set()
    if "PROCESS" in glob:
        held.add("process")
    user_table = "global_priv" if db.flavor == "mariadb" else "user"
    if select_on("mysql") or (f"mysql.{user_table}", "SELECT") in tables:
        held.add("mysql_user")
    if select_on("performance_schema"):
        held.add("performance_schema")
    if glob & {"REPLICATION CLIENT", "BINLOG MONITOR", "SLAVE MONITOR", "REPLICA MONITOR", "SUPER"}:
        held.add("replication")
    if db.database and select_on(db.database):
        held.add("select_all")
    basedir = (row["basedir"] or "").lower()
    comment = (row["comment"] or "").lower()
    platform = "aws-rds" if basedir.startswith("/rdsdbbin") else "azure" if "azure" in comment else ""
    if platform == "aws-rds" and db.rows("SHOW VARIABLES LIKE 'aurora_version'"):
        platform = "aws-aurora"
    return Capabilities(db.flavor, _version(db.version), row["me"], False, held, platform,
                        bool(int(row["read_only"] or 0)), db.database)


def _sqlite(db: Any) -> Capabilities:
    return Capabilities("sqlite", _version(db.version), "", True, set(), "", False, db.database)
