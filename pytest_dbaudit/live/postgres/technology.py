"""PostgreSQL live probes: technology, platform and server configuration health."""

from __future__ import annotations

from ...outcomes import Finding, Undecided
from ..probe import probe
from .facts import USER_SCHEMAS, fmt_s, in_recovery, is_on, setting, settings, stats_age_s


@probe("TV-01", "pg.server-identity", "The server identifies its engine, version, platform and role",
       engines="postgresql", anchors=("MT cloud discovery", "SB 223", "PM", "PD 1.5"),
       fix="Record the engine, version, platform and role of each database in the inventory.")
def server_identity(db, p):
    """Identity facts for the inventory; fails only if the server hides its version."""
    if not db.version_full:
        return [Finding("the server did not report its version", expected="version() output")]
    p.note(f"engine: {db.version_full}")
    p.note(f"platform: {p.caps.platform or 'self-hosted or not recognised'}")
    p.note(f"role: {'replica (in recovery)' if in_recovery(db) else 'primary or standalone'}")
    name = setting(db, "cluster_name")
    if name:
        p.note(f"cluster_name: {name}")
    age, how = stats_age_s(db)
    p.note(f"statistics age: {fmt_s(age)} ({how})")
    return []


@probe("TV-04", "pg.managed-platform", "The server runs on a recognised managed service", engines="postgresql",
       anchors=("MT cloud discovery", "SB 223", "PH RDS/GCP/Azure"),
       fix="Run production on a managed service (RDS, Aurora, Cloud SQL, Azure) or an operator such as "
           "CloudNativePG or Patroni, and attest the operator.")
def managed_platform(db, p):
    """A managed platform is recognised by its admin roles or functions; an operator cannot be seen from SQL."""
    if p.caps.platform:
        p.note(f"managed platform recognised: {p.caps.platform}")
        return []
    raise Undecided("no managed platform recognised (no rdsadmin/cloudsqlsuperuser/azure_pg_admin role, no "
                    "aurora_version()); a Kubernetes operator or Patroni is invisible from SQL: attest it")


# setting -> (major that removed it, what replaces it)
DEPRECATED = {
    "vacuum_defer_cleanup_age": (16, "hot_standby_feedback or a replication slot"),
    "promote_trigger_file": (16, "pg_ctl promote or pg_promote()"),
    "force_parallel_mode": (16, "debug_parallel_query"),
    "db_user_namespace": (17, "separate roles"),
    "old_snapshot_threshold": (17, "nothing (feature removed)"),
    "trace_recovery_messages": (17, "log_min_messages"),
    "stats_temp_directory": (15, "nothing (shared-memory statistics)"),
    "operator_precedence_warning": (14, "nothing"),
    "wal_keep_segments": (13, "wal_keep_size"),
}


@probe("TV-08", "pg.deprecated-settings", "No setting in use is removed in a later major version",
       engines="postgresql", anchors=("MT 9.x readiness", "PC A004"),
       fix="Remove or replace the listed settings before upgrading (see the release notes of the major).")
def deprecated_settings(db, p):
    """Settings explicitly set (not default) that a later major no longer accepts: pg_upgrade and the new
    server's startup fail on them."""
    out = []
    for name, (removed, instead) in sorted(DEPRECATED.items()):
        row = settings(db).get(name)
        if row is None or row["source"] in ("default", "override"):
            continue
        out.append(Finding(f"setting {name} is set ({row['source']}) but PostgreSQL {removed} removed it",
                           location=name, observed=row["setting"], expected=f"unset; use {instead}",
                           severity="Low"))
    p.note(f"{len(DEPRECATED)} removed/renamed settings looked for")
    return out


# pg_upgrade refuses user columns of these types (their OIDs are not preserved)
_REG_TYPES = ("regcollation", "regconfig", "regdictionary", "regnamespace", "regoper", "regoperator",
              "regproc", "regprocedure")


@probe("TV-08", "pg.upgrade-blocking-columns", "No user column has a type pg_upgrade refuses",
       engines="postgresql", anchors=("pg_upgrade check_for_reg_data_type_usage",),
       fix="Convert reg* columns (other than regclass, regrole, regtype) to text or oid before pg_upgrade.")
def upgrade_blocking_columns(db, p):
    """reg* columns (except regclass/regrole/regtype) block pg_upgrade; found the way pg_upgrade checks."""
    types = ", ".join(f"'{t}'" for t in _REG_TYPES)
    rows = db.rows(f"""
        SELECT n.nspname AS schema_name, c.relname AS table_name, a.attname AS column_name, t.typname AS type
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'm', 'p')
          AND t.typname IN ({types}) AND {USER_SCHEMAS}
        ORDER BY 1, 2, 3""")
    return [Finding(f"column {r['schema_name']}.{r['table_name']}.{r['column_name']} has type {r['type']}, "
                    "which pg_upgrade refuses", location=f"{r['schema_name']}.{r['table_name']}",
                    observed=r["type"], expected="text or oid", severity="Low") for r in rows]


# Extensions shipped with PostgreSQL or widely packaged under permissive (PostgreSQL/BSD/MIT/Apache) licences.
DEFAULT_ALLOWED = ("plpgsql,pg_stat_statements,pgcrypto,uuid-ossp,citext,hstore,pg_trgm,btree_gin,btree_gist,"
                   "intarray,ltree,unaccent,fuzzystrmatch,tablefunc,pgstattuple,pg_buffercache,pg_prewarm,"
                   "postgres_fdw,pg_partman,postgis,postgis_topology,pgaudit,pg_repack,pg_cron,vector,"
                   "amcheck,bloom,cube,earthdistance,isn,lo,seg,tcn,tsm_system_rows,tsm_system_time,"
                   "pg_visibility,pg_walinspect,pg_freespacemap,pgrowlocks,pg_surgery,sslinfo,dict_int,"
                   "dict_xsyn,intagg,insert_username,moddatetime,refint,autoinc,xml2,file_fdw,dblink,"
                   "adminpack,old_snapshot,pageinspect,timescaledb")


@probe("TV-09", "pg.extension-allowlist", "Installed extensions are on the allow-list", engines="postgresql",
       thresholds={"allowed_extensions": DEFAULT_ALLOWED, "max_unlisted_extensions": 0},
       anchors=("PD 1.8", "DSP-05", "MT plugininfo"),
       fix="Review each unlisted extension's licence and need; add it to allowed_extensions or drop it.")
def extension_allowlist(db, p):
    """Every extension in this database, compared with a configurable allow-list (comma separated)."""
    allowed = {x.strip().lower() for x in str(p.threshold("allowed_extensions")).split(",") if x.strip()}
    rows = db.rows("SELECT extname, extversion FROM pg_catalog.pg_extension ORDER BY 1")
    p.note("extensions: " + (", ".join(f"{r['extname']} {r['extversion']}" for r in rows) or "none"))
    unlisted = [r for r in rows if r["extname"].lower() not in allowed]
    if len(unlisted) <= int(p.threshold("max_unlisted_extensions")):
        return []
    return [Finding(f"extension {r['extname']} {r['extversion']} is not on the allow-list", location=r["extname"],
                    observed=r["extname"], expected="an allow-listed extension", severity="Low") for r in unlisted]


@probe("CF-04", "pg.data-checksums", "Page checksums are on and no checksum failure was recorded",
       engines="postgresql", anchors=("PD 1.4.3", "SB 34/89"),
       fix="Enable checksums (initdb --data-checksums, or pg_checksums --enable on a stopped cluster); "
           "investigate any checksum failure at once (storage corruption) and restore the damaged pages.")
def data_checksums(db, p):
    """data_checksums off hides silent storage corruption (Medium); a recorded failure is corruption (Critical)."""
    out = []
    if not is_on(setting(db, "data_checksums")):
        out.append(Finding("page checksums are off: storage corruption goes undetected", location="data_checksums",
                           observed="off", expected="on", severity="Medium"))
    rows = db.rows("""SELECT coalesce(datname, '(shared catalogs)') AS datname, checksum_failures,
                             checksum_last_failure FROM pg_catalog.pg_stat_database
                      WHERE coalesce(checksum_failures, 0) > 0""")
    for r in rows:
        out.append(Finding(f"{r['checksum_failures']} checksum failure(s) in {r['datname']}, last at "
                           f"{r['checksum_last_failure']}", location=r["datname"], observed=r["checksum_failures"],
                           expected=0, severity="Critical"))
    return out


@probe("CF-04", "pg.config-file-errors", "The configuration files load without errors", engines="postgresql",
       needs=("pg_file_settings",), anchors=("CP settings_checksum", "PC A006/A007"),
       fix="Fix the listed lines in postgresql.conf / postgresql.auto.conf, then reload.")
def config_file_errors(db, p):
    """pg_file_settings lists lines the server could not apply (typos, bad values, unknown names)."""
    rows = db.rows("""SELECT sourcefile, sourceline, name, error FROM pg_catalog.pg_file_settings
                      WHERE error IS NOT NULL ORDER BY sourcefile, sourceline""")
    return [Finding(f"{r['sourcefile'] or 'configuration'}:{r['sourceline'] or '?'} {r['name'] or ''}: {r['error']}",
                    location=f"{r['sourcefile']}:{r['sourceline']}", observed=r["error"], expected="no error",
                    severity="High") for r in rows]


@probe("CF-07", "pg.pending-restart", "No changed setting is waiting for a restart", engines="postgresql",
       needs=("pg_read_all_settings",), anchors=("CP settings_checksum", "PC A006"),
       fix="Restart the server in a maintenance window, or revert the change, so the running value is the "
           "configured one.")
def pending_restart(db, p):
    """A setting changed in the files but not active until restart is drift between file and server."""
    rows = [r for r in settings(db).values() if r["pending_restart"]]
    return [Finding(f"setting {r['name']} was changed but needs a restart to take effect", location=r["name"],
                    observed=f"running {r['setting']}", expected="the configured value running", severity="Low")
            for r in sorted(rows, key=lambda r: r["name"])]
