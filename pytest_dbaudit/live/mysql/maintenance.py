"""MySQL and MariaDB live probes: statistics and purge maintenance."""

from __future__ import annotations

from ...outcomes import Finding
from ..probe import probe
from .facts import need_stat, on, variables


@probe("PF-07", "my.innodb-stats-auto", "InnoDB keeps optimizer statistics current by itself", engines="mysql",
       anchors=("live:PF-11",),
       fix="innodb_stats_persistent = ON and innodb_stats_auto_recalc = ON (tables with STATS_AUTO_RECALC=0 need a "
           "scheduled ANALYZE TABLE).")
def innodb_stats_auto(db, p):
    v = variables(db)
    p.note(f"innodb_stats_persistent = {v.get('innodb_stats_persistent')}, innodb_stats_auto_recalc = "
           f"{v.get('innodb_stats_auto_recalc')}")
    out = []
    if not on(v.get("innodb_stats_auto_recalc", "ON")):
        out.append(Finding("automatic statistics recalculation is off: plans drift as data changes",
                           observed="innodb_stats_auto_recalc = OFF", expected="ON"))
    if not on(v.get("innodb_stats_persistent", "ON")):
        out.append(Finding("statistics are not persistent: plans can change after every restart",
                           observed="innodb_stats_persistent = OFF", expected="ON", severity="Low"))
    return out


@probe("PF-07", "my.purge-history", "InnoDB purge keeps up (history list length)", engines="mariadb",
       thresholds={"max_history_list_length": 1_000_000}, anchors=("live:PF-13",),
       fix="Find the oldest open transaction (PF-12) holding back purge; raise innodb_purge_threads if purge "
           "cannot keep up with the write rate.")
def purge_history(db, p):
    hll = need_stat(db, "Innodb_history_list_length")
    limit = float(p.threshold("max_history_list_length"))
    p.note(f"Innodb_history_list_length = {hll:.0f}")
    return [Finding(f"{hll:.0f} undo log records wait for purge", observed=int(hll), expected=f"< {limit:.0f}")] \
        if hll > limit else []
