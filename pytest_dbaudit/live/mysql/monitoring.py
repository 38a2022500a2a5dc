"""MySQL and MariaDB live probes: what the server collects and logs for monitoring."""

from __future__ import annotations

from ...outcomes import Finding, NotApplicable
from ..probe import probe
from .facts import accounts, on, ps_on, var


@probe("MO-02", "my.performance-schema", "performance_schema collects statement, wait and I/O metrics",
       engines="mysql", anchors=("live:MO-01", "live:PF-01", "MySQLTuner performance_schema"),
       fix="performance_schema = ON in the server configuration (restart needed; on by default since MySQL 5.6.6, "
           "off by default in MariaDB).")
def performance_schema_on(db, p):
    value = var(db, "performance_schema", "OFF")
    p.note(f"performance_schema = {value}")
    return [] if on(value) else [Finding("performance_schema is OFF: no statement digests, waits, locks or I/O "
                                         "statistics are collected", observed="OFF", expected="ON")]


@probe("MO-02", "my.ps-consumers", "The statement-digest and history consumers are enabled", engines="mysql",
       needs=("performance_schema",), anchors=("live:MO-02",),
       fix="UPDATE performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME IN ('statements_digest', "
           "'events_statements_current', 'events_statements_history'); persist with performance-schema-consumer-* "
           "options.")
def ps_consumers(db, p):
    if not ps_on(db):
        raise NotApplicable("performance_schema is OFF (my.performance-schema reports it)")
    rows = {r["NAME"]: str(r["ENABLED"]).upper() for r in db.rows(
        "SELECT NAME, ENABLED FROM performance_schema.setup_consumers")}
    p.note(", ".join(f"{k} {v}" for k, v in sorted(rows.items())))
    wanted = ("statements_digest", "events_statements_current", "events_statements_history", "global_instrumentation")
    return [Finding(f"consumer {name} is disabled", location=f"setup_consumers.{name}", observed=rows.get(name, "absent"),
                    expected="YES") for name in wanted if rows.get(name) != "YES"]


@probe("MO-07", "my.error-log", "The error log is written to a file with warnings included", engines="mysql",
       anchors=("live:MO-03", "live:MO-05", "CIS MySQL 6.1/6.3"),
       fix="Set log_error to a file (and collect it), log_warnings = 2 (MariaDB) / log_error_verbosity = 2 or 3 "
           "(MySQL) so lock wait timeouts, aborted connections and deadlock notes reach it.")
def error_log(db, p):
    out = []
    path = (var(db, "log_error") or "").strip()
    p.note(f"log_error = {path or '(empty)'}")
    if not path or path.lower() == "stderr":
        out.append(Finding("the error log goes to stderr, not to a file the server manages",
                           observed=f"log_error = {path or '(empty)'}", expected="a file path", severity="Low"))
    if db.flavor == "mariadb":
        level = int(float(var(db, "log_warnings") or 0))
        p.note(f"log_warnings = {level}")
        if level < 2:
            out.append(Finding(f"log_warnings = {level}: aborted connections and warnings are not logged",
                               observed=level, expected=">= 2"))
    else:
        level = int(float(var(db, "log_error_verbosity") or 0))
        p.note(f"log_error_verbosity = {level}")
        if level < 2:
            out.append(Finding(f"log_error_verbosity = {level}: warnings are not logged", observed=level, expected=">= 2"))
    return out


@probe("MO-07", "my.deadlocks-logged", "Every deadlock is written to the error log", engines="mysql",
       anchors=("live:PF-17", "live:MO-03"),
       fix="SET PERSIST innodb_print_all_deadlocks = ON (MariaDB: in the option file), then alert on "
           "'deadlock' lines in the error log.")
def deadlocks_logged(db, p):
    value = var(db, "innodb_print_all_deadlocks", "OFF")
    p.note(f"innodb_print_all_deadlocks = {value}")
    return [] if on(value) else [Finding("only the latest deadlock is kept (SHOW ENGINE INNODB STATUS); the others "
                                         "are never logged", observed="innodb_print_all_deadlocks = OFF",
                                         expected="ON")]


@probe("MO-01", "my.monitoring-account", "A least-privilege monitoring account exists", engines="mysql",
       needs=("mysql_user",), anchors=("live:MO-07", "MySQLTuner", "Percona PMM / mysqld_exporter grants"),
       fix="CREATE USER 'monitor'@'<collector host>' ...; GRANT PROCESS, REPLICATION CLIENT (MariaDB: SLAVE "
           "MONITOR, BINLOG MONITOR) ON *.* and SELECT ON performance_schema.* to it, nothing more.")
def monitoring_account(db, p):
    found = [a.name for a in accounts(db)
             if not a.role and not a.system and "Process_priv" in a.privs
             and not a.privs & {"Super_priv", "Grant_priv", "File_priv", "Shutdown_priv", "Create_user_priv",
                                "Insert_priv", "Update_priv", "Delete_priv", "Drop_priv"}]
    p.note("monitoring-shaped accounts (PROCESS without write or admin privileges): " + (", ".join(found) or "none"))
    return [] if found else [Finding("no least-privilege monitoring account: monitoring either is absent or runs "
                                     "with an administrator's privileges", expected="an account with PROCESS and "
                                     "performance_schema SELECT only")]
