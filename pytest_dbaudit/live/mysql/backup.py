"""MySQL and MariaDB live probes: binary logging for point-in-time recovery."""

from __future__ import annotations

from ...outcomes import Finding, NotApplicable
from ..probe import probe
from .facts import on, var, variables

_NO_BINLOG = "the binary log is off (log_bin = OFF)"


def _binlog_on(db) -> bool:
    return on(var(db, "log_bin", "OFF"))


@probe("BR-02", "my.binlog-enabled", "The binary log is on, so changes between backups can be replayed",
       engines="mysql", anchors=("live:BR-01", "pgdsat 7.4 analogue"),
       fix="Enable log_bin (server restart) and copy the binary logs off the server continuously (mysqlbinlog "
           "--read-from-remote-server --raw --stop-never, or the backup tool's binlog streaming).")
def binlog_enabled(db, p):
    p.note(f"log_bin = {var(db, 'log_bin')}, log_bin_basename = {var(db, 'log_bin_basename') or '(none)'}")
    return [] if _binlog_on(db) else [Finding(_NO_BINLOG + ": nothing between two backups can be recovered",
                                              observed="log_bin = OFF", expected="ON")]


@probe("BR-07", "my.binlog-retention", "Binary logs are kept for the whole point-in-time window", engines="mysql",
       anchors=("live:BR-04",),
       fix="Set binlog_expire_logs_seconds (MySQL 8, MariaDB 10.6+) or expire_logs_days to at least the PITR "
           "window, and keep archived copies as long as the backups they extend.")
def binlog_retention(db, p):
    if not _binlog_on(db):
        return [Finding(_NO_BINLOG + ": no point-in-time recovery at all", observed="log_bin = OFF", expected="ON")]
    v = variables(db)
    seconds = float(v.get("binlog_expire_logs_seconds") or 0)
    days = float(v.get("expire_logs_days") or 0)
    window = seconds / 86400 if seconds else days
    need = float(p.threshold("min_pitr_window_days"))
    p.note(f"binlog_expire_logs_seconds = {seconds:g}, expire_logs_days = {days:g}")
    if window == 0:
        p.note("binary logs are never purged automatically: the window is limited only by disk (watch CA-07)")
        return []
    p.note(f"binary logs are kept {window:g} day(s) on the server")
    return [Finding(f"binary logs are purged after {window:g} day(s)", observed=f"{window:g} days",
                    expected=f">= {need:g} days")] if window < need else []


@probe("BR-07", "my.binlog-format-row", "The binary log records rows (binlog_format = ROW)", engines="mysql",
       anchors=("live:BR-04", "MySQLTuner"),
       fix="SET PERSIST binlog_format = ROW (and binlog_row_image = FULL for flashback tools): STATEMENT and MIXED "
           "replay non-deterministic statements differently.")
def binlog_format_row(db, p):
    if not _binlog_on(db):
        raise NotApplicable(_NO_BINLOG + " (my.binlog-retention reports it)")
    fmt = (var(db, "binlog_format") or "").upper()
    p.note(f"binlog_format = {fmt}, binlog_row_image = {var(db, 'binlog_row_image')}")
    return [] if fmt == "ROW" else [Finding(f"binlog_format = {fmt}: replaying it may not reproduce the same rows",
                                            observed=fmt, expected="ROW")]


@probe("BR-07", "my.gtid", "GTIDs identify every transaction (gtid_mode = ON)", engines="mysql-only",
       anchors=("live:BR-04",),
       fix="Move gtid_mode through OFF_PERMISSIVE, ON_PERMISSIVE to ON with enforce_gtid_consistency = ON; "
           "recovery and failover can then position by transaction, not by file offset.")
def gtid(db, p):
    if not _binlog_on(db):
        raise NotApplicable(_NO_BINLOG + " (my.binlog-retention reports it)")
    mode = (var(db, "gtid_mode") or "OFF").upper()
    p.note(f"gtid_mode = {mode}, enforce_gtid_consistency = {var(db, 'enforce_gtid_consistency')}")
    return [] if mode == "ON" else [Finding(f"gtid_mode = {mode}", observed=mode, expected="ON")]


@probe("BR-05", "my.binlog-durable-for-rpo", "Every commit reaches the binary log on disk before it is acknowledged",
       engines="mysql", anchors=("live:BR-02", "live:AT-09"),
       fix="log_bin = ON with sync_binlog = 1 and innodb_flush_log_at_trx_commit = 1; for an RPO near zero across "
           "servers add semi-synchronous replication (rpl_semi_sync_*).")
def binlog_durable_for_rpo(db, p):
    if not _binlog_on(db):
        return [Finding(_NO_BINLOG + ": the recovery point is the last full backup", observed="log_bin = OFF",
                        expected="ON")]
    v = variables(db)
    semi = v.get("rpl_semi_sync_master_enabled") or v.get("rpl_semi_sync_source_enabled") or "OFF"
    p.note(f"sync_binlog = {v.get('sync_binlog')}, innodb_flush_log_at_trx_commit = "
           f"{v.get('innodb_flush_log_at_trx_commit')}, semi-sync source = {semi}")
    out = []
    if v.get("sync_binlog") != "1":
        out.append(Finding(f"sync_binlog = {v.get('sync_binlog')}: acknowledged commits can be missing from the binary "
                           "log after a crash", observed=v.get("sync_binlog"), expected="1"))
    if v.get("innodb_flush_log_at_trx_commit") != "1":
        out.append(Finding("innodb_flush_log_at_trx_commit is not 1: acknowledged commits can be lost",
                           observed=v.get("innodb_flush_log_at_trx_commit"), expected="1"))
    return out
