"""MySQL and MariaDB live probes: technology, plugins and server settings."""

from __future__ import annotations

from ...outcomes import Finding
from ..probe import probe
from .facts import accounts, on, plugins, var, variables


@probe("CF-04", "my.checksums", "InnoDB page and binary-log checksums are on", engines="mysql",
       anchors=("live:TV-04", "pgdsat 1.4.3 analogue", "sp_Blitz 34/89"),
       fix="Set innodb_checksum_algorithm = crc32 (MariaDB: full_crc32) and binlog_checksum = CRC32; "
           "a checksum is the only way silent disk corruption is noticed before it spreads to backups.")
def checksums(db, p):
    out = []
    algo = (var(db, "innodb_checksum_algorithm") or "").lower()
    p.note(f"innodb_checksum_algorithm = {algo or '(not reported)'}")
    if algo in ("none", "strict_none"):
        out.append(Finding("InnoDB page checksums are off: corrupted pages are read without an error",
                           observed=f"innodb_checksum_algorithm = {algo}", expected="crc32 / full_crc32"))
    bl = (var(db, "binlog_checksum") or "").upper()
    p.note(f"binlog_checksum = {bl or '(not reported)'}; log_bin = {var(db, 'log_bin')}")
    if bl == "NONE" and on(var(db, "log_bin", "OFF")):
        out.append(Finding("binary-log events carry no checksum: a corrupted event replays silently on replicas "
                           "and in point-in-time recovery", observed="binlog_checksum = NONE", expected="CRC32"))
    return out


@probe("CF-04", "my.durability", "Commits are durable (redo flushed per commit, binlog synced, doublewrite on)",
       engines="mysql", anchors=("live:AT-07", "MySQLTuner innodb_flush_log_at_trx_commit"),
       fix="innodb_flush_log_at_trx_commit = 1, sync_binlog = 1 and innodb_doublewrite = ON on a primary; "
           "relax them only on replicas that can be rebuilt, and write down why.")
def durability(db, p):
    out = []
    v = variables(db)
    flush = v.get("innodb_flush_log_at_trx_commit", "")
    sync = v.get("sync_binlog", "")
    dw = v.get("innodb_doublewrite", "")
    log_bin = on(v.get("log_bin", "OFF"))
    p.note(f"innodb_flush_log_at_trx_commit = {flush}, sync_binlog = {sync} (log_bin {'ON' if log_bin else 'OFF'}), "
           f"innodb_doublewrite = {dw}")
    if flush and flush != "1":
        out.append(Finding("committed transactions can be lost on a crash: the redo log is not flushed at commit",
                           observed=f"innodb_flush_log_at_trx_commit = {flush}", expected="1"))
    if log_bin and sync and sync != "1":
        out.append(Finding("the binary log is not synced at commit: a crash can lose committed events that "
                           "replicas and point-in-time recovery need", observed=f"sync_binlog = {sync}", expected="1"))
    if dw and not on(dw) and dw.upper() not in ("DETECT_AND_RECOVER", "DETECT_ONLY", "FAST"):
        out.append(Finding("the doublewrite buffer is off: a torn page after a crash cannot be repaired",
                           observed=f"innodb_doublewrite = {dw}", expected="ON", severity="Critical"))
    return out


@probe("TV-09", "my.plugins-licence", "Loaded plugins carry an open-source licence or are known to be licensed",
       engines="mysql", thresholds={"licensed_plugins": []}, anchors=("live:TV-08", "MySQLTuner plugininfo"),
       fix="Unload commercial plugins you hold no licence for (UNINSTALL PLUGIN / remove plugin-load), or list the "
           "ones you do license in the licensed_plugins threshold of TV-09.")
def plugins_licence(db, p):
    allowed = {str(x).lower() for x in p.threshold("licensed_plugins") or []}
    loaded = [r for r in plugins(db).values() if str(r["PLUGIN_STATUS"]).upper() == "ACTIVE" and r["PLUGIN_LIBRARY"]]
    p.note("loaded plugin libraries: " + (", ".join(sorted(f"{r['PLUGIN_NAME']} ({r['PLUGIN_LICENSE']})"
                                                         for r in loaded)) or "none"))
    if "enterprise" in db.version_full.lower() or "commercial" in db.version_full.lower():
        p.note(f"commercial edition: {db.version_full}")
    return [Finding(f"plugin {r['PLUGIN_NAME']} ({r['PLUGIN_LIBRARY']}) has a {r['PLUGIN_LICENSE']} licence",
                    location=f"plugin {r['PLUGIN_NAME']}", observed=r["PLUGIN_LICENSE"], expected="GPL/BSD or licensed")
            for r in loaded if str(r["PLUGIN_LICENSE"]).upper() not in ("GPL", "BSD", "LGPL")
            and str(r["PLUGIN_NAME"]).lower() not in allowed]


@probe("CF-07", "my.runtime-settings-drift", "No global setting was changed at runtime behind the config files",
       engines="mariadb", anchors=("live:TV-06", "check_postgres settings_checksum"),
       fix="Write the value into the server's option file (or revert it): a SET GLOBAL is lost at the next restart, "
           "and the configuration baseline no longer describes the running server.")
def runtime_drift_mariadb(db, p):
    rows = db.rows("SELECT VARIABLE_NAME, GLOBAL_VALUE, DEFAULT_VALUE FROM information_schema.SYSTEM_VARIABLES "
                   "WHERE GLOBAL_VALUE_ORIGIN = 'SQL'")
    p.note(f"{len(rows)} global variable(s) set with SET GLOBAL since the server started")
    return [Finding(f"{r['VARIABLE_NAME'].lower()} was changed with SET GLOBAL and is not in the option files",
                    location=f"variable {r['VARIABLE_NAME'].lower()}", observed=r["GLOBAL_VALUE"],
                    expected="the value from the option files") for r in rows]


@probe("CF-07", "my.runtime-settings-drift-mysql", "No global setting was changed at runtime behind the config files",
       engines="mysql-only", needs=("performance_schema",), min_version=(8, 0),
       anchors=("live:TV-06", "check_postgres settings_checksum"),
       fix="SET PERSIST the value (or write it to my.cnf): a SET GLOBAL is lost at the next restart.")
def runtime_drift_mysql(db, p):
    rows = db.rows("SELECT VARIABLE_NAME, SET_USER, SET_HOST, SET_TIME FROM performance_schema.variables_info "
                   "WHERE VARIABLE_SOURCE = 'DYNAMIC'")
    persisted = db.rows("SELECT VARIABLE_NAME FROM performance_schema.variables_info WHERE VARIABLE_SOURCE = 'PERSISTED'")
    p.note(f"{len(persisted)} variable(s) come from mysqld-auto.cnf (SET PERSIST): part of the configuration")
    return [Finding(f"{r['VARIABLE_NAME']} was changed with SET GLOBAL by {r['SET_USER']}@{r['SET_HOST']} at "
                    f"{r['SET_TIME']} and is not persisted", location=f"variable {r['VARIABLE_NAME']}",
                    expected="SET PERSIST or the option file") for r in rows]


@probe("TV-08", "my.upgrade-auth-blockers", "No account relies on an authentication plugin the next major removes",
       engines="mysql", needs=("mysql_user",), anchors=("live:TV-07", "MySQLTuner 9.x readiness"),
       fix="ALTER USER ... IDENTIFIED WITH caching_sha2_password (MySQL) or ed25519 / mysql_native_password "
           "(MariaDB, away from mysql_old_password) before the upgrade; check the client libraries support it.")
def upgrade_auth_blockers(db, p):
    if db.flavor == "mysql":
        doomed = {"mysql_native_password": "disabled by default in 8.4 and removed in 9.0",
                  "sha256_password": "deprecated in 8.0 and removed in 9.0", "mysql_old_password": "removed in 5.7"}
    else:  # MariaDB keeps mysql_native_password; pre-4.1 hashes are the blocker
        doomed = {"mysql_old_password": "pre-4.1 password hashes, refused by current clients"}
        if on(var(db, "old_passwords", "OFF")):
            p.note("old_passwords = ON: new passwords get pre-4.1 hashes")
    accs = [a for a in accounts(db) if not a.role and not a.system]
    p.note(f"{len(accs)} account(s) checked against: {', '.join(doomed)}")
    out = []
    for a in accs:
        for plugin, _ in a.auth:
            if plugin in doomed:
                out.append(Finding(f"account {a.name} uses {plugin} ({doomed[plugin]})", location=a.name,
                                   observed=plugin, severity="Low"))
    if db.flavor == "mariadb" and on(var(db, "old_passwords", "OFF")):
        out.append(Finding("old_passwords = ON makes new passwords pre-4.1 hashes", observed="old_passwords = ON",
                           expected="OFF"))
    return out
