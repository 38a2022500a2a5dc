"""PostgreSQL live probes: architecture, topology, connections and durability."""

from __future__ import annotations

from ...outcomes import Finding, NotApplicable, Undecided
from ..probe import probe
from .facts import (db_role_settings, duration_ms, in_recovery, is_on, major, server_value, setting,
                    settings, undecided)


def standbys(db) -> list[dict]:
    """Walsenders of this server (state needs pg_read_all_stats to be visible)."""
    return db.memo("pg_standbys", lambda d: d.rows(
        "SELECT pid, application_name, client_addr::text AS client_addr, state, sync_state, usename "
        "FROM pg_catalog.pg_stat_replication"))


@probe("AT-01", "pg.topology", "The server's replication role and standbys are observed", engines="postgresql",
       anchors=("PH", "PM", "MT"),
       fix="Record the observed topology (primary, standbys, upstream) in the inventory.")
def topology(db, p):
    """Always passes with what it saw: primary or replica, its standbys or its upstream."""
    if in_recovery(db):
        p.note("role: replica (pg_is_in_recovery)")
        rows = db.rows("SELECT status, sender_host FROM pg_catalog.pg_stat_wal_receiver")
        p.note("upstream: " + (", ".join(f"{r['sender_host'] or '(hidden)'} {r['status']}" for r in rows)
                               or "no WAL receiver (archive recovery or not connected)"))
        return []
    rows = standbys(db)
    p.note(f"role: {'primary' if rows else 'primary without connected standbys (standalone)'}")
    for r in rows:
        p.note(f"standby {r['application_name'] or '?'} from {r['client_addr'] or 'local'}: "
               f"{r['state'] or '(state hidden)'} {r['sync_state'] or ''}".rstrip())
    return []


@probe("AT-02", "pg.hot-standby", "The primary streams to at least one standby", engines="postgresql",
       needs=("pg_read_all_stats",), anchors=("PH", "CP hot_standby_delay", "MT"),
       fix="Add a streaming standby (or a managed Multi-AZ/HA configuration) that can take over.")
def hot_standby(db, p):
    """Counts standbys in state 'streaming'; a managed platform's HA standby is invisible from SQL."""
    if in_recovery(db):
        raise NotApplicable("this server is a replica; the check is decided on its primary")
    streaming = [r for r in standbys(db) if r["state"] == "streaming"]
    p.note(f"{len(streaming)} streaming standby(s) of {len(standbys(db))} walsender(s)")
    if streaming:
        return []
    if p.caps.platform:
        raise Undecided(f"no standby visible, but {p.caps.platform} hides its HA standby from SQL: check the "
                        "instance's Multi-AZ / HA setting")
    return [Finding("no standby streams from this primary: a single instance", observed="0 streaming standbys",
                    expected=">= 1 streaming standby")]


@probe("PF-16", "pg.connection-headroom", "Client connections stay below the share of max_connections",
       engines="postgresql", thresholds={"connections_used_max_pct": 80, "connections_critical_pct": 95},
       anchors=("CP backends 90/95 %", "MT 85 %", "PH total 500", "seed < 80 %"),
       fix="Put a pooler (PgBouncer, RDS Proxy) in front, lower application pool sizes, or raise max_connections "
           "with the memory to match.")
def connection_headroom(db, p):
    """Client backends now, against max_connections minus the slots reserved for superusers."""
    usable = int(setting(db, "max_connections")) - int(setting(db, "superuser_reserved_connections") or 0)
    if major(db) >= 16:
        usable -= int(setting(db, "reserved_connections") or 0)
    used = int(db.scalar("SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend'"))
    pct = 100.0 * used / max(usable, 1)
    p.note(f"{used} client connection(s) of {usable} usable ({pct:.0f} %)")
    if pct < float(p.threshold("connections_used_max_pct")):
        return []
    sev = "High" if pct >= float(p.threshold("connections_critical_pct")) else None
    return [Finding(f"{used} of {usable} usable connections in use ({pct:.0f} %)", observed=f"{pct:.0f} %",
                    expected=f"< {p.threshold('connections_used_max_pct')} %", severity=sev)]


@probe("AT-07", "pg.idle-connections", "A large max_connections is not filled by idle direct connections",
       engines="postgresql", needs=("pg_read_all_stats",),
       thresholds={"pooler_max_connections_setting": 300, "idle_connections_max_ratio": 0.5},
       anchors=("PC G001/G002", "MT thread cache"),
       fix="Use a transaction-mode pooler (PgBouncer, pgcat, RDS Proxy) and lower max_connections.")
def idle_connections(db, p):
    """max_connections above the limit with most client backends idle: the pooling is missing."""
    maxc = int(setting(db, "max_connections"))
    rows = db.rows("SELECT state, count(*) AS n FROM pg_catalog.pg_stat_activity "
                   "WHERE backend_type = 'client backend' GROUP BY state")
    total = sum(int(r["n"]) for r in rows)
    idle = sum(int(r["n"]) for r in rows if r["state"] == "idle")
    ratio = idle / total if total else 0.0
    p.note(f"max_connections {maxc}; {idle} of {total} client connection(s) idle")
    if maxc <= int(p.threshold("pooler_max_connections_setting")):
        return []
    if ratio <= float(p.threshold("idle_connections_max_ratio")):
        return []
    return [Finding(f"max_connections is {maxc} and {idle} of {total} client connections are idle: connections are "
                    "held open instead of pooled", observed=f"{ratio:.0%} idle",
                    expected=f"<= {float(p.threshold('idle_connections_max_ratio')):.0%} idle")]


@probe("CF-04", "pg.durability-switches", "fsync, full_page_writes and synchronous_commit keep commits durable",
       engines="postgresql", anchors=("new (reference AT-07)", "MT flush setting"),
       fix="fsync = on and full_page_writes = on always; synchronous_commit = on (off only for data you can "
           "afford to lose, set per transaction or role).")
def durability_switches(db, p):
    """fsync/full_page_writes off risk corruption after a crash (Critical); synchronous_commit off loses the
    last commits (Medium), also when set per database or role."""
    out = []
    for name in ("fsync", "full_page_writes"):
        value = setting(db, name)
        if value is not None and not is_on(value):
            out.append(Finding(f"{name} is off: a crash can corrupt the cluster", location=name, observed=value,
                               expected="on", severity="Critical"))
    sc = server_value(db, "synchronous_commit")
    if sc is None:
        raise undecided(db, "synchronous_commit's server value is hidden", "pg_file_settings")
    if sc.lower() in ("off", "false", "0", "no"):
        out.append(Finding("synchronous_commit is off server-wide: the last commits are lost on a crash",
                           location="synchronous_commit", observed=sc, expected="on", severity="Medium"))
    for s in db_role_settings(db):
        if s["name"] == "synchronous_commit" and s["value"].lower() in ("off", "false", "0", "no"):
            who = " and ".join(x for x in (f"role {s['role']}" if s["role"] else "",
                                           f"database {s['database']}" if s["database"] else "") if x)
            out.append(Finding(f"synchronous_commit is off for {who}", location=who, observed="off", expected="on",
                               severity="Medium"))
    p.note(f"fsync={setting(db, 'fsync')}, full_page_writes={setting(db, 'full_page_writes')}, "
           f"synchronous_commit={sc}")
    return out


@probe("BR-05", "pg.rpo-wal-shipping", "WAL leaves the primary fast enough for the recovery point objective",
       engines="postgresql", needs=("pg_read_all_stats",), anchors=("MT semi-sync", "reference AT-09", "PD 7.4"),
       fix="For RPO 0 configure synchronous_standby_names with synchronous_commit = on/remote_apply; otherwise "
           "stream to a standby or set archive_timeout at or below the RPO with a working archive_command.")
def rpo_wal_shipping(db, p):
    """RPO 0 needs synchronous replication; a larger RPO is met by a streaming standby or by archiving with
    archive_timeout <= RPO (without it a WAL segment leaves only when 16 MB fill up)."""
    if in_recovery(db):
        raise NotApplicable("this server is a replica; the RPO is decided on its primary")
    if p.caps.platform:
        raise Undecided(f"{p.caps.platform} ships WAL itself; its PITR interval (e.g. 5 min on RDS) and HA mode "
                        "decide the RPO: check the instance settings")
    rpo_s = float(p.threshold("rpo_minutes")) * 60
    names = (setting(db, "synchronous_standby_names") or "").strip()
    sc = (server_value(db, "synchronous_commit") or "on").lower()
    sync = [r for r in standbys(db) if r["sync_state"] in ("sync", "quorum") and r["state"] == "streaming"]
    if names and sc in ("on", "remote_write", "remote_apply") and sync:
        p.note(f"synchronous replication to {len(sync)} standby(s): RPO 0")
        return []
    if rpo_s == 0:
        return [Finding("RPO 0 is required but commits do not wait for a synchronous standby",
                        observed=f"synchronous_standby_names='{names}', synchronous_commit={sc}, "
                                 f"{len(sync)} sync standby(s)", expected="a connected synchronous standby")]
    streaming = [r for r in standbys(db) if r["state"] == "streaming"]
    if streaming:
        p.note(f"{len(streaming)} asynchronous standby(s) streaming: the RPO is their lag (HA-05)")
        return []
    mode = setting(db, "archive_mode") or "off"
    timeout_s = (duration_ms(setting(db, "archive_timeout"), "s") or 0) / 1000
    p.note(f"no standby; archive_mode={mode}, archive_timeout={timeout_s:g} s")
    if mode == "off":
        return [Finding("no standby and no WAL archiving: everything since the last backup can be lost",
                        observed="archive_mode=off", expected=f"WAL shipped within {rpo_s / 60:g} min")]
    if timeout_s <= 0 or timeout_s > rpo_s:
        return [Finding(f"no standby and archive_timeout = {timeout_s:g} s: on a quiet server a WAL segment can "
                        f"stay unarchived longer than the RPO", observed=f"archive_timeout={timeout_s:g} s",
                        expected=f"0 < archive_timeout <= {rpo_s:g} s")]
    return []


@probe("PF-12", "pg.session-timeouts", "Sessions cannot stay idle in a transaction or run without a time limit",
       engines="postgresql",
       thresholds={"required_session_timeouts": "idle_in_transaction_session_timeout,statement_timeout"},
       anchors=("PC G003",),
       fix="ALTER ROLE app SET idle_in_transaction_session_timeout = '5min'; ALTER ROLE app SET "
           "statement_timeout = '30s'; (or per database, or in postgresql.conf).")
def session_timeouts(db, p):
    """For every non-superuser login role, the effective value in this database: role+database setting,
    then role, then database, then the server's configuration. 0 means no limit."""
    names = [n.strip().lower() for n in str(p.threshold("required_session_timeouts")).split(",") if n.strip()]
    roles = [r["rolname"] for r in db.rows("SELECT rolname FROM pg_catalog.pg_roles WHERE rolcanlogin AND "
                                           "NOT rolsuper AND rolname NOT LIKE 'pg\\_%' ORDER BY 1")]
    here = db.database
    out, unknown = [], []
    for name in names:
        if name not in settings(db):
            continue  # not a setting of this version (idle_session_timeout before 14)
        set_here = {(s["role"], s["database"]): s["value"] for s in db_role_settings(db) if s["name"] == name}
        db_default = set_here.get(("", here))
        if db_default is None:
            db_default = server_value(db, name)
        p.note(f"{name}: default in {here} = {db_default if db_default is not None else '(hidden)'}")
        affected, undecided_roles = [], []
        for role in roles or [""]:
            value = set_here.get((role, here)) or set_here.get((role, "")) if role else None
            value = value if value is not None else db_default
            ms = duration_ms(value)
            if ms is None:
                undecided_roles.append(role or "(every role)")
            elif ms <= 0:
                affected.append(role or "(every role)")
        if affected:
            shown = ", ".join(affected[:10]) + (f" and {len(affected) - 10} more" if len(affected) > 10 else "")
            out.append(Finding(f"{name} is 0 (no limit) in database {here} for {len(affected)} login role(s): {shown}",
                               location=f"{here} {name}", observed="0", expected="> 0 for application roles",
                               severity="Medium"))
        if undecided_roles:
            unknown.append(name)
    if not out and unknown:
        raise undecided(db, f"the server-wide value of {', '.join(unknown)} is hidden (the audit session sets its "
                        "own)", "pg_file_settings")
    return out
