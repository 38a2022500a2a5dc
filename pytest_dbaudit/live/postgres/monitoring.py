"""PostgreSQL live probes: statistics collection, diagnostic logging and clocks."""

from __future__ import annotations

from ...outcomes import Finding, Undecided
from ..probe import probe
from .facts import clock, is_on, need_setting, setting


@probe("MO-02", "pg.stats-collection", "Activity and table statistics are collected", engines="postgresql",
       anchors=("SB 177 analogue", "reference MO-01"),
       fix="track_counts = on and track_activities = on (both are on by default).")
def stats_collection(db, p):
    """track_counts off blinds autovacuum and every table statistic; track_activities off hides what runs."""
    out = []
    for name in ("track_counts", "track_activities"):
        value = setting(db, name)
        if value is not None and not is_on(value):
            out.append(Finding(f"{name} is off", location=name, observed=value, expected="on", severity="High"))
    return out


@probe("MO-02", "pg.statement-statistics", "pg_stat_statements is preloaded and installed in this database",
       engines="postgresql", anchors=("PH query stats", "PC K001", "reference PF-01"),
       fix="shared_preload_libraries = 'pg_stat_statements' (restart), then CREATE EXTENSION pg_stat_statements "
           "in the database.")
def statement_statistics(db, p):
    """Both are needed: preloaded without the extension shows nothing here; the extension without preloading
    collects nothing."""
    # shared_preload_libraries is visible only to superusers and pg_read_all_settings members
    libs = [x.strip() for x in need_setting(db, "shared_preload_libraries").split(",") if x.strip()]
    installed = bool(db.scalar("SELECT count(*) FROM pg_catalog.pg_extension WHERE extname = 'pg_stat_statements'"))
    p.note(f"shared_preload_libraries = {', '.join(libs) or '(none)'}; extension "
           f"{'installed' if installed else 'not installed'} in {db.database}")
    out = []
    if "pg_stat_statements" not in libs:
        out.append(Finding("pg_stat_statements is not in shared_preload_libraries: no statement statistics",
                           location="shared_preload_libraries", observed=", ".join(libs) or "(none)",
                           expected="pg_stat_statements"))
    if not installed:
        out.append(Finding(f"the pg_stat_statements extension is not installed in {db.database}",
                           location=db.database, observed="absent", expected="CREATE EXTENSION pg_stat_statements"))
    return out


@probe("MO-02", "pg.io-timing", "I/O timing is tracked and query texts are kept long enough", engines="postgresql",
       thresholds={"activity_query_size_min": 2048}, anchors=("PM", "reference MO-02"),
       fix="track_io_timing = on (check pg_test_timing overhead first); track_activity_query_size = 4096 (restart).")
def io_timing(db, p):
    """Without track_io_timing, slow I/O and slow CPU look the same in EXPLAIN and pg_stat_statements."""
    out = []
    value = setting(db, "track_io_timing")
    if value is not None and not is_on(value):
        out.append(Finding("track_io_timing is off", location="track_io_timing", observed=value, expected="on",
                           severity="Low"))
    size = setting(db, "track_activity_query_size")
    if size is not None and int(size) < int(p.threshold("activity_query_size_min")):
        out.append(Finding(f"track_activity_query_size is {size} bytes: longer statements are cut in "
                           "pg_stat_activity", location="track_activity_query_size", observed=size,
                           expected=f">= {p.threshold('activity_query_size_min')}", severity="Low"))
    wal = setting(db, "track_wal_io_timing")
    if wal is not None:
        p.note(f"track_wal_io_timing = {wal}")
    return out


@probe("MO-02", "pg.diagnostic-logging", "Temp files, autovacuum runs and checkpoints are logged",
       engines="postgresql", anchors=("PD 3.1.x", "reference MO-03"),
       fix="log_temp_files = 0 (or a size), log_autovacuum_min_duration = '1s', log_checkpoints = on.")
def diagnostic_logging(db, p):
    """-1 means never logged: the evidence for temp spills, slow vacuums and checkpoint storms is missing."""
    out = []
    for name in ("log_temp_files", "log_autovacuum_min_duration"):
        value = setting(db, name)
        if value is not None and int(value) < 0:
            out.append(Finding(f"{name} is -1: never logged", location=name, observed=value, expected=">= 0",
                               severity="Low"))
    value = setting(db, "log_checkpoints")
    if value is not None and not is_on(value):
        out.append(Finding("log_checkpoints is off", location="log_checkpoints", observed=value, expected="on",
                           severity="Low"))
    return out


@probe("MO-07", "pg.log-lock-waits", "Lock waits longer than deadlock_timeout are logged", engines="postgresql",
       anchors=("PD 3.1.x", "reference MO-03"),
       fix="log_lock_waits = on (deadlocks are always logged; waits are not by default).")
def log_lock_waits(db, p):
    """log_lock_waits logs every wait longer than deadlock_timeout with the blocking pid."""
    value = setting(db, "log_lock_waits")
    p.note(f"log_lock_waits = {value}, deadlock_timeout = {setting(db, 'deadlock_timeout')} ms")
    if value is None or is_on(value):
        return []
    return [Finding("log_lock_waits is off: lock waits leave no trace in the log", location="log_lock_waits",
                    observed=value, expected="on")]


_TOKENS = {"time": ("%m", "%t", "%n"), "pid": ("%p", "%c"), "user": ("%u",), "database": ("%d",),
           "application": ("%a",), "client": ("%h", "%r")}


@probe("MO-03", "pg.log-line-prefix", "Log lines name time, process, user, database, application and client",
       engines="postgresql", thresholds={"log_prefix_required": "time,pid,user,database,application,client"},
       anchors=("PD 3.1.24", "DSP-16"),
       fix="log_line_prefix = '%m [%p] %q%u@%d app=%a client=%h ' (or log_destination = jsonlog/csvlog).")
def log_line_prefix(db, p):
    """Each required part needs one of its escapes; csvlog/jsonlog carry every field anyway."""
    dest = (setting(db, "log_destination") or "").lower()
    prefix = setting(db, "log_line_prefix") or ""
    p.note(f"log_destination = {dest}; log_line_prefix = '{prefix}'")
    if "csvlog" in dest or "jsonlog" in dest:
        return []
    need = [x.strip() for x in str(p.threshold("log_prefix_required")).split(",") if x.strip()]
    missing = [x for x in need if x in _TOKENS and not any(t in prefix for t in _TOKENS[x])]
    if not missing:
        return []
    return [Finding(f"log_line_prefix lacks {', '.join(missing)}", location="log_line_prefix", observed=prefix,
                    expected=" ".join(_TOKENS[x][0] for x in missing) + " in the prefix", severity="Low")]


@probe("MO-03", "pg.log-collection", "Server logs are written to a collected destination", engines="postgresql",
       anchors=("PD 3.1.2-3", "CISMY 6.1"),
       fix="logging_collector = on with log_directory outside PGDATA, or syslog/jsonlog shipped to the log store.")
def log_collection(db, p):
    """logging_collector on, or syslog/eventlog: decided. stderr alone: unknown, since only the service manager
    (journald, the container runtime) knows whether it keeps the output."""
    collector = setting(db, "logging_collector")
    dest = (setting(db, "log_destination") or "").lower()
    p.note(f"logging_collector = {collector}; log_destination = {dest}")
    if is_on(collector) or "syslog" in dest or "eventlog" in dest:
        return []
    if p.caps.platform:
        p.note(f"{p.caps.platform} collects the server log itself")
        return []
    raise Undecided("logs go to stderr with logging_collector off: kept only if journald or the container runtime "
                    "captures them; attest where they are collected")


@probe("MO-02", "pg.clock-skew", "The server clock agrees with the auditing host", engines="postgresql",
       thresholds={"clock_skew_max_s": 2, "clock_skew_critical_s": 5}, anchors=("CP timesync 2 s/5 s",),
       fix="Run NTP/chrony on the database host (managed services do); skewed clocks mislead lag, logs and metrics.")
def clock_skew(db, p):
    """clock_timestamp() against the local clock, minus half the round trip (the measuring uncertainty)."""
    server, local, half_rtt = clock(db)
    skew = abs(server - local) - half_rtt
    p.note(f"clock difference {server - local:+.3f} s (+/- {half_rtt:.3f} s)")
    if skew <= float(p.threshold("clock_skew_max_s")):
        return []
    return [Finding(f"the server clock is {server - local:+.1f} s off the auditing host's", observed=f"{skew:.1f} s",
                    expected=f"<= {p.threshold('clock_skew_max_s')} s",
                    severity="High" if skew > float(p.threshold("clock_skew_critical_s")) else "Low")]


@probe("CA-01", "pg.notify-queue", "The LISTEN/NOTIFY queue has headroom", engines="postgresql",
       thresholds={"notify_queue_max_ratio": 0.5}, anchors=("PM",),
       fix="Find the listener that stopped consuming (a session idle in a transaction after LISTEN) and end it.")
def notify_queue(db, p):
    """pg_notification_queue_usage(): at 100 % NOTIFY fails for everyone."""
    usage = float(db.scalar("SELECT pg_catalog.pg_notification_queue_usage()"))
    p.note(f"notification queue {usage:.1%} full")
    if usage <= float(p.threshold("notify_queue_max_ratio")):
        return []
    return [Finding(f"the notification queue is {usage:.0%} full", observed=f"{usage:.0%}",
                    expected=f"<= {float(p.threshold('notify_queue_max_ratio')):.0%}", severity="Low")]

