"""PostgreSQL live probes: replication lag, health, slots and the replication account."""

from __future__ import annotations

from ...outcomes import Finding, NotApplicable, Undecided
from ..probe import probe
from .facts import fmt_bytes, fmt_s, in_recovery, is_on, setting


def _walsenders(db) -> list[dict]:
    return db.memo("pg_walsenders", lambda d: d.rows("""
        SELECT pid, usename, application_name, client_addr::text AS client_addr, state, sync_state,
               extract(epoch FROM replay_lag) AS replay_lag_s,
               pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), replay_lsn) AS behind_bytes
        FROM pg_catalog.pg_stat_replication"""))


def _replica_state(db) -> dict:
    """On a replica: lag with PgHero's guard (receive = replay means caught up: an idle primary writes nothing, so
    the time since the last replayed commit grows without any lag)."""
    return db.memo("pg_replica_state", lambda d: d.rows("""
        SELECT pg_catalog.pg_last_wal_receive_lsn() AS received, pg_catalog.pg_last_wal_replay_lsn() AS replayed,
               CASE WHEN pg_catalog.pg_last_wal_receive_lsn() = pg_catalog.pg_last_wal_replay_lsn() THEN 0
                    ELSE extract(epoch FROM now() - pg_catalog.pg_last_xact_replay_timestamp()) END AS lag_s,
               coalesce(pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_receive_lsn(),
                                                   pg_catalog.pg_last_wal_replay_lsn()), 0) AS lag_bytes""")[0])


def _who(r) -> str:
    return f"standby {r['application_name'] or r['pid']} ({r['client_addr'] or 'local'})"


@probe("HA-05", "pg.replication-lag-time", "Standbys replay within the lag target (seconds)", engines="postgresql",
       needs=("pg_read_all_stats",), thresholds={"replica_lag_max_s": 30, "replica_lag_critical_s": 300},
       anchors=("PH < 5 s with receive = replay guard", "CP hot_standby_delay", "MT Seconds_Behind"),
       fix="Find what slows replay (long queries on the standby with hot_standby_feedback, I/O, network) and fix it.")
def replication_lag_time(db, p):
    """Replica: now() - last replayed commit, 0 when everything received is replayed. Primary: replay_lag of
    each walsender (NULL while idle and caught up, counted as 0)."""
    warn, crit = float(p.threshold("replica_lag_max_s")), float(p.threshold("replica_lag_critical_s"))
    if in_recovery(db):
        r = _replica_state(db)
        if r["received"] is None:
            raise Undecided("this replica receives no streamed WAL (archive recovery): its lag is not measurable here")
        lag = float(r["lag_s"] or 0)
        p.note(f"replay lag {lag:.1f} s (receive {'=' if lag == 0 else '<>'} replay)")
        lags = [("this replica", lag)]
    else:
        rows = _walsenders(db)
        if not rows:
            raise NotApplicable("no standby is connected to this primary (HA-04 reports it)")
        lags = [(_who(r), float(r["replay_lag_s"] or 0)) for r in rows]
        p.note("; ".join(f"{w}: {lag:.1f} s" for w, lag in lags))
    return [Finding(f"{w} is {fmt_s(lag)} behind", location=w, observed=f"{lag:.0f} s", expected=f"< {warn:g} s",
                    severity="Critical" if lag > crit else None) for w, lag in lags if lag > warn]


@probe("HA-05", "pg.replication-lag-bytes", "Standbys are within the lag target (WAL bytes)", engines="postgresql",
       needs=("pg_read_all_stats",), thresholds={"replica_lag_max_bytes": 1024 ** 3},
       anchors=("CP hot_standby_delay", "reference HA-02"),
       fix="Check the standby's network and disk; a standby far behind in bytes also pins WAL on the primary.")
def replication_lag_bytes(db, p):
    """WAL not yet replayed: primary pg_current_wal_lsn() - replay_lsn; replica received - replayed."""
    limit = float(p.threshold("replica_lag_max_bytes"))
    if in_recovery(db):
        lags = [("this replica", float(_replica_state(db)["lag_bytes"] or 0))]
    else:
        rows = _walsenders(db)
        if not rows:
            raise NotApplicable("no standby is connected to this primary (HA-04 reports it)")
        lags = [(_who(r), float(r["behind_bytes"] or 0)) for r in rows]
    p.note("; ".join(f"{w}: {fmt_bytes(b)}" for w, b in lags))
    return [Finding(f"{w} is {fmt_bytes(b)} of WAL behind", location=w, observed=fmt_bytes(b),
                    expected=f"< {fmt_bytes(limit)}", severity="Medium") for w, b in lags if b > limit]


@probe("HA-04", "pg.replication-streaming", "A standby is streaming (and a replica receives from its primary)",
       engines="postgresql", needs=("pg_read_all_stats",), anchors=("MT IO/SQL threads", "CP", "reference HA-03"),
       fix="Restart the broken standby's WAL receiver (check primary_conninfo, pg_hba.conf, slots); add a standby "
           "if there is none.")
def replication_streaming(db, p):
    """Primary: every walsender streaming and at least one exists; replica: pg_stat_wal_receiver 'streaming'."""
    if in_recovery(db):
        rows = db.rows("SELECT status FROM pg_catalog.pg_stat_wal_receiver")
        if not rows or rows[0]["status"] != "streaming":
            status = rows[0]["status"] if rows else "no WAL receiver"
            return [Finding(f"this replica is not streaming from its primary ({status})", observed=status,
                            expected="streaming", severity="Critical")]
        p.note("WAL receiver streaming")
        return []
    rows = [r for r in _walsenders(db) if r["state"] != "backup"]  # pg_basebackup sessions are not standbys
    if not rows:
        if p.caps.platform:
            raise Undecided(f"no standby visible; {p.caps.platform} hides managed replicas and HA standbys from SQL")
        return [Finding("no standby receives changes from this primary", observed="0 walsenders",
                        expected=">= 1 streaming standby")]
    out = [Finding(f"{_who(r)} is in state {r['state']}, not streaming", location=_who(r), observed=r["state"],
                   expected="streaming", severity="Critical") for r in rows if r["state"] != "streaming"]
    p.note(f"{len(rows) - len(out)} of {len(rows)} standby(s) streaming")
    return out


@probe("HA-04", "pg.replication-slots", "No replication slot is inactive, lost or retaining too much WAL",
       engines="postgresql", thresholds={"slot_retained_max_gb": 10},
       anchors=("PH inactive slots", "CP replication_slots", "PM"),
       fix="Reconnect the slot's consumer or drop the slot (pg_drop_replication_slot); set max_slot_wal_keep_size.")
def replication_slots(db, p):
    """Inactive slots pin WAL until the disk fills (High); wal_status 'lost' means the consumer can never resume
    (Critical); retained WAL over 10 GB (High)."""
    current = "pg_catalog.pg_last_wal_receive_lsn()" if in_recovery(db) else "pg_catalog.pg_current_wal_lsn()"
    rows = db.rows(f"""
        SELECT slot_name, slot_type, coalesce(database, '') AS database, active, wal_status,
               pg_catalog.pg_wal_lsn_diff({current}, restart_lsn) AS retained
        FROM pg_catalog.pg_replication_slots ORDER BY slot_name""")
    keep = setting(db, "max_slot_wal_keep_size")
    p.note(f"{len(rows)} replication slot(s); max_slot_wal_keep_size = {keep}")
    limit = float(p.threshold("slot_retained_max_gb")) * 1024 ** 3
    out = []
    for r in rows:
        name = f"{r['slot_type']} slot {r['slot_name']}" + (f" ({r['database']})" if r["database"] else "")
        retained = float(r["retained"] or 0)
        if r["wal_status"] == "lost":
            out.append(Finding(f"{name} has lost required WAL: its consumer can never resume", location=r["slot_name"],
                               observed="wal_status=lost", expected="reserved", severity="Critical"))
        elif not r["active"]:
            out.append(Finding(f"{name} is inactive and retains {fmt_bytes(retained)} of WAL", location=r["slot_name"],
                               observed="inactive", expected="active", severity="High"))
        elif retained > limit:
            out.append(Finding(f"{name} retains {fmt_bytes(retained)} of WAL", location=r["slot_name"],
                               observed=fmt_bytes(retained), expected=f"< {fmt_bytes(limit)}", severity="High"))
    return out


@probe("SE-02", "pg.replication-role", "Standbys connect with a dedicated replication role, not a superuser",
       engines="postgresql", needs=("pg_read_all_stats",), anchors=("PD 7.1", "CISMY 9.4/9.5", "reference HA-06"),
       fix="CREATE ROLE replicator LOGIN REPLICATION PASSWORD ...; use it in primary_conninfo and pg_hba.conf.")
def replication_role(db, p):
    """The roles of connected walsenders: a superuser there can do anything if the standby host is compromised."""
    rows = db.rows("""SELECT w.usename, coalesce(r.rolsuper, false) AS superuser, count(*) AS n
                      FROM pg_catalog.pg_stat_replication w LEFT JOIN pg_catalog.pg_roles r ON r.rolname = w.usename
                      GROUP BY 1, 2""")
    dedicated = db.scalar("SELECT count(*) FROM pg_catalog.pg_roles WHERE rolreplication AND NOT rolsuper")
    p.note(f"{dedicated} dedicated replication role(s)")
    if not rows:
        raise NotApplicable("no replication connection to look at")
    return [Finding(f"{r['n']} replication connection(s) use the superuser {r['usename']}", location=r["usename"],
                    observed="superuser", expected="a role with REPLICATION only", severity="Medium")
            for r in rows if r["superuser"]]


@probe("SE-08", "pg.log-replication-commands", "Replication commands are logged where replication is used",
       engines="postgresql", anchors=("PD 7.2", "CIS PG 7.2"),
       fix="ALTER SYSTEM SET log_replication_commands = on; reload.")
def log_replication_commands(db, p):
    """log_replication_commands records base backups and slot changes; only judged when replication is in use
    (walsenders, slots or a replica)."""
    used = in_recovery(db) or db.scalar("SELECT (SELECT count(*) FROM pg_catalog.pg_stat_replication) + "
                                        "(SELECT count(*) FROM pg_catalog.pg_replication_slots)")
    if not used:
        raise NotApplicable("no replication in use (no walsender, slot or upstream)")
    value = setting(db, "log_replication_commands")
    if is_on(value):
        return []
    return [Finding("log_replication_commands is off: base backups and slot changes leave no trace",
                    location="log_replication_commands", observed=value, expected="on", severity="Low")]
