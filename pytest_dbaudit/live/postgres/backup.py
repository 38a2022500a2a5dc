"""PostgreSQL live probes: WAL archiving, the archiver and point-in-time recovery prerequisites."""

from __future__ import annotations

import re

from ...outcomes import Finding, NotApplicable, Undecided
from ..probe import probe
from .facts import fmt_s, in_recovery, need_setting, setting

# archive_command values that report success without storing anything
_NO_OP = {"", "/bin/true", "/usr/bin/true", "true", ":", "exit 0", "/bin/true %p", "true %p", "cd ."}


def _archiving_applies(db, p) -> str:
    if p.caps.platform == "aws-aurora":
        raise NotApplicable("Aurora backs up continuously at the storage layer; it has no WAL archive")
    if in_recovery(db):
        raise NotApplicable("this server is a replica; WAL archiving is decided on the primary")
    return (setting(db, "archive_mode") or "off").lower()


@probe("BR-02", "pg.wal-archiving", "WAL archiving is on and archives somewhere", engines="postgresql",
       needs=("pg_read_all_settings",), anchors=("PD 7.4", "CP archive_ready", "reference BR-01"),
       fix="archive_mode = on with a real archiver: archive_command of pgBackRest/WAL-G/Barman (or "
           "archive_library), never /bin/true; plus regular base backups.")
def wal_archiving(db, p):
    """archive_mode off, or an empty / no-op archive_command (/bin/true, ':') with no archive_library, means no
    point-in-time recovery between full backups."""
    mode = _archiving_applies(db, p)
    if mode == "off":
        return [Finding("WAL archiving is off: no point-in-time recovery between full backups",
                        location="archive_mode", observed="off", expected="on")]
    command = (need_setting(db, "archive_command") or "").strip()
    library = (setting(db, "archive_library") or "").strip()
    p.note(f"archive_mode={mode}; archive_library={library or '(none)'}; archive_command "
           f"{'set' if command else 'empty'}")
    if library:
        return []
    if command.lower() in _NO_OP or re.fullmatch(r"(/usr)?(/bin/)?(true|exit 0|:)(\s+%[pf])*", command.lower()):
        return [Finding(f"archive_command is a no-op ({command or 'empty'}): WAL segments are discarded as 'archived'",
                        location="archive_command", observed=command or "(empty)",
                        expected="a command that stores WAL (pgBackRest, WAL-G, Barman)")]
    return []


def _segment(name: str, seg_size: int) -> int:
    return int(name[8:16], 16) * (0x100000000 // seg_size) + int(name[16:24], 16)


@probe("BR-12", "pg.archiver-health", "The WAL archiver is not failing and not stale", engines="postgresql",
       thresholds={"archive_stale_max_s": 3600}, anchors=("CP archive_ready", "PM", "reference BR-02"),
       fix="Read the server log for the archive_command error (permissions, full bucket, credentials) and fix it; "
           "the segments wait in pg_wal meanwhile and fill the disk.")
def archiver_health(db, p):
    """pg_stat_archiver: the last attempt failed (Critical), or nothing archived for max(2 x archive_timeout, 1 h)
    although completed segments are waiting."""
    mode = _archiving_applies(db, p)
    if mode == "off":
        raise NotApplicable("WAL archiving is off (BR-02 reports it)")
    r = db.rows("""SELECT archived_count, last_archived_wal, last_archived_time, failed_count, last_failed_wal,
                          last_failed_time, extract(epoch FROM now() - last_archived_time) AS since_s,
                          pg_catalog.pg_walfile_name(pg_catalog.pg_current_wal_lsn()) AS current_wal
                   FROM pg_catalog.pg_stat_archiver""")[0]
    p.note(f"archived {r['archived_count']} (last {r['last_archived_wal']} at {r['last_archived_time']}), "
           f"failed {r['failed_count']} (last {r['last_failed_wal']} at {r['last_failed_time']})")
    if r["last_failed_time"] and (r["last_archived_time"] is None or r["last_failed_time"] > r["last_archived_time"]):
        return [Finding(f"the archiver is failing: last attempt on {r['last_failed_wal']} at {r['last_failed_time']} "
                        f"failed ({r['failed_count']} failures)", location="pg_stat_archiver",
                        observed=f"{r['failed_count']} failures", expected="archiving succeeds", severity="Critical")]
    seg_size = int(setting(db, "wal_segment_size") or 16 * 1024 * 1024)
    timeout_s = float(setting(db, "archive_timeout") or 0)
    limit = max(2 * timeout_s, float(p.threshold("archive_stale_max_s")))
    if r["last_archived_wal"] is None or r["since_s"] is None:
        p.note("nothing archived since the counters were reset")
        return []
    waiting = _segment(r["current_wal"], seg_size) - _segment(r["last_archived_wal"], seg_size) - 1
    if float(r["since_s"]) > limit and waiting > 0:
        return [Finding(f"nothing archived for {fmt_s(r['since_s'])} while {waiting} completed segment(s) wait",
                        location="pg_stat_archiver", observed=fmt_s(r["since_s"]), expected=f"< {fmt_s(limit)}",
                        severity="High")]
    return []


@probe("BR-05", "pg.wal-archive-backlog", "Few WAL segments wait to be archived", engines="postgresql",
       needs=("pg_monitor",), min_version=(12,),
       thresholds={"archive_ready_max_files": 10, "archive_ready_critical_files": 15},
       anchors=("CP archive_ready 10/15", "CP wal_files"),
       fix="Make the archiver keep up (parallel archiving in pgBackRest/WAL-G, a faster target); every waiting "
           "segment is data the recovery point does not cover yet.")
def wal_archive_backlog(db, p):
    """.ready files in pg_wal/archive_status: segments completed but not archived (pg_ls_archive_statusdir)."""
    if _archiving_applies(db, p) == "off":
        raise NotApplicable("WAL archiving is off (BR-02 reports it)")
    n = int(db.scalar("SELECT count(*) FROM pg_catalog.pg_ls_archive_statusdir() WHERE name LIKE '%.ready'"))
    p.note(f"{n} segment(s) waiting to be archived")
    if n <= int(p.threshold("archive_ready_max_files")):
        return []
    return [Finding(f"{n} WAL segments wait to be archived", location="pg_wal/archive_status", observed=n,
                    expected=f"<= {p.threshold('archive_ready_max_files')}",
                    severity="Critical" if n > int(p.threshold("archive_ready_critical_files")) else "High")]


@probe("BR-07", "pg.wal-level", "wal_level allows archiving and point-in-time recovery", engines="postgresql",
       anchors=("PD 7.4", "reference BR-04"),
       fix="wal_level = replica (or logical), then restart.")
def wal_level(db, p):
    """wal_level = minimal writes too little WAL for archiving, PITR or standbys."""
    value = setting(db, "wal_level")
    if value is None:
        raise Undecided("wal_level is not visible")
    p.note(f"wal_level = {value}")
    if value == "minimal":
        return [Finding("wal_level is minimal: no point-in-time recovery and no standby possible", location="wal_level",
                        observed=value, expected="replica or logical")]
    return []
