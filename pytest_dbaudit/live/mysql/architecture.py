"""MySQL and MariaDB live probes: topology, connections, sessions and transactions."""

from __future__ import annotations

from ...outcomes import Finding, Undecided
from ..probe import probe
from .facts import need_stat, plugin_active, stat, topology, uptime_s, var, variables, young

HA_MODES = ("none", "active-passive", "active-active", "multi-region")


def _topology(db, p):
    if db.flavor == "mysql" and plugin_active(db, "group_replication") and not p.caps.has("performance_schema"):
        raise Undecided("Group Replication is loaded; its members are in performance_schema.replication_group_members",
                        )
    t = topology(db, p.caps)
    p.note(f"topology: {t['kind']}" + (f"; replicates: {', '.join(t['replica_of'])}" if t["replica_of"] else "")
           + (f"; {t['dump_threads']} replica(s) attached" if t["dump_threads"] else "")
           + (f"; galera {t['galera']}" if t["galera"] else "")
           + (f"; group members: {len(t['group'])}" if t["group"] else "")
           + f"; read_only = {var(db, 'read_only')}")
    return t


@probe("AT-01", "my.topology", "The server's replication role is known (standalone, primary, replica, cluster)",
       engines="mysql", needs=("replication", "process"), anchors=("live:AT-01", "MySQLTuner replication"),
       fix="Record the role of every production server (primary, replicas, cluster) in the inventory.")
def topology_known(db, p):
    _topology(db, p)
    return []


@probe("AT-02", "my.standby-present", "The server has a standby: a replica attached, or it is one, or a cluster node",
       engines="mysql", needs=("replication", "process"), anchors=("live:AT-01", "live:HA-03"),
       fix="Add a replica (GTID-based, semi-synchronous where the RPO asks for it) or run a Galera / InnoDB Cluster "
           "of three nodes; a managed service's Multi-AZ / HA option does the same.")
def standby_present(db, p):
    t = _topology(db, p)
    if t["kind"] == "galera":
        size = int(float(t["galera"].get("wsrep_cluster_size") or 0))
        return [] if size >= 2 else [Finding(f"Galera cluster has {size} node(s): no other node can take over",
                                             observed=size, expected=">= 2 (3 for quorum)")]
    if t["kind"] == "group-replication":
        n = len([m for m in t["group"] if m["MEMBER_STATE"] == "ONLINE"])
        return [] if n >= 2 else [Finding(f"Group Replication has {n} ONLINE member(s)", observed=n, expected=">= 2")]
    if t["kind"] in ("replica", "primary"):
        return []
    return [Finding("standalone server: no replica is attached and it replicates from no source, so nothing can "
                    "take over when it fails", observed="no Binlog Dump thread, no replication channel",
                    expected="a hot standby")]


@probe("HA-01", "my.ha-mode", "The HA mode seen on the server meets the required mode", engines="mysql",
       needs=("replication", "process"), anchors=("live:AT-01",),
       fix="Raise the HA mode: add a standby (active-passive) or a Galera / InnoDB Cluster (active-active).")
def ha_mode(db, p):
    t = _topology(db, p)
    target = str(p.threshold("min_ha_mode"))
    if target not in HA_MODES:
        raise Undecided(f"min_ha_mode {target!r} is not one of {', '.join(HA_MODES)}")
    if t["kind"] == "galera":
        mode = "active-active"
    elif t["kind"] == "group-replication":
        multi = str(var(db, "group_replication_single_primary_mode", "ON")).upper() in ("OFF", "0")
        mode = "active-active" if multi else "active-passive"
    elif t["kind"] in ("replica", "primary"):
        mode = "active-passive"
    else:
        mode = "none"
    p.note(f"HA mode seen: {mode} (required: {target})")
    if HA_MODES.index(mode) >= HA_MODES.index(target):
        return []
    if target == "multi-region" and mode != "none":
        raise Undecided("the regions of the nodes are not visible from SQL: confirm from the deployment")
    return [Finding(f"HA mode is {mode}, below the required {target}", observed=mode, expected=target)]


@probe("PF-16", "my.connection-headroom", "Connections in use and the peak stay below the server maximum",
       engines="mysql", thresholds={"peak_connection_ratio_max": 0.85},
       anchors=("live:AT-02", "MySQLTuner max used connections 85 %", "check_postgres backends 90/95 %"),
       fix="Pool connections in the application or a proxy (ProxySQL, MaxScale) and size pools below "
           "max_connections; raise max_connections only with the memory it costs.")
def connection_headroom(db, p):
    limit = float(var(db, "max_connections") or 0)
    if limit <= 0:
        raise Undecided("max_connections is not reported")
    now, peak = need_stat(db, "Threads_connected"), need_stat(db, "Max_used_connections")
    ratio, peak_ratio = now / limit, peak / limit
    p.note(f"Threads_connected {now:.0f}, Max_used_connections {peak:.0f}, max_connections {limit:.0f}")
    young(db, p, "the peak")
    out = []
    if ratio > float(p.threshold("max_connection_ratio")):
        out.append(Finding(f"{now:.0f} of {limit:.0f} connections in use ({ratio:.0%})", observed=f"{ratio:.0%}",
                           expected=f"< {float(p.threshold('max_connection_ratio')):.0%}"))
    if peak_ratio > float(p.threshold("peak_connection_ratio_max")):
        out.append(Finding(f"the peak since start was {peak:.0f} of {limit:.0f} connections ({peak_ratio:.0%})",
                           observed=f"{peak_ratio:.0%}", expected=f"< {float(p.threshold('peak_connection_ratio_max')):.0%}"))
    return out


@probe("PF-09", "my.connection-refusals", "No client was refused for hitting max_connections", engines="mysql",
       anchors=("live:AT-02", "MySQLTuner"),
       fix="Make the sum of all pool maxima (times instances) fit under max_connections minus admin headroom.")
def connection_refusals(db, p):
    limit = float(var(db, "max_connections") or 0)
    refused = stat(db, "Connection_errors_max_connections") or 0
    peak = need_stat(db, "Max_used_connections")
    p.note(f"Connection_errors_max_connections {refused:.0f}, Max_used_connections {peak:.0f} / {limit:.0f}")
    out = []
    if refused > 0:
        out.append(Finding(f"{refused:.0f} connection(s) were refused because max_connections ({limit:.0f}) was "
                           "reached: the pools together open more than the server allows", observed=int(refused),
                           expected=0))
    elif limit and peak >= limit:
        out.append(Finding(f"connections reached max_connections ({limit:.0f})", observed=int(peak),
                           expected=f"< {limit:.0f}"))
    return out


@probe("AT-07", "my.connections-unpooled", "max_connections and thread churn do not show unpooled clients",
       engines="mysql", thresholds={"max_connections_without_pooler": 1000, "min_thread_cache_hit_ratio": 0.5},
       anchors=("live:AT-03", "MySQLTuner thread cache hit <= 50 %"),
       fix="Put a pooler between applications and the server (application pools, ProxySQL, MaxScale) and keep "
           "max_connections in the hundreds; set thread_cache_size so threads are reused.")
def connections_unpooled(db, p):
    out = []
    limit = int(float(var(db, "max_connections") or 0))
    cap = int(p.threshold("max_connections_without_pooler"))
    if limit > cap:
        out.append(Finding(f"max_connections = {limit}: that many threads only make sense behind a pooler",
                           observed=limit, expected=f"<= {cap}"))
    conns, created = stat(db, "Connections") or 0, stat(db, "Threads_created") or 0
    p.note(f"Connections {conns:.0f}, Threads_created {created:.0f}, thread_cache_size {var(db, 'thread_cache_size')}, "
           f"thread_handling {var(db, 'thread_handling')}")
    if conns >= 100:
        hit = 1 - created / conns
        if hit < float(p.threshold("min_thread_cache_hit_ratio")):
            out.append(Finding(f"thread cache hit ratio {hit:.0%}: most connections start a new thread "
                               "(short-lived, unpooled connections)", observed=f"{hit:.0%}",
                               expected=f">= {float(p.threshold('min_thread_cache_hit_ratio')):.0%}"))
    else:
        p.note("fewer than 100 connections since start: thread cache not judged")
    return out


_NOT_USER = "p.USER NOT IN ('system user', 'event_scheduler') AND p.ID <> CONNECTION_ID()"


@probe("PF-12", "my.idle-in-transaction", "No session sits idle inside an open transaction", engines="mysql",
       needs=("process",), thresholds={"idle_transaction_max_s": 300},
       anchors=("live:AT-05", "PgHero idle in transaction", "check_postgres txn_idle"),
       fix="Commit or roll back before the connection goes back to the pool (framework transaction scopes), and "
           "close abandoned ones; an idle transaction holds its locks and blocks purge.")
def idle_in_transaction(db, p):
    limit = float(p.threshold("idle_transaction_max_s"))
    rows = db.rows(f"""SELECT p.ID, p.USER, p.HOST, p.DB, p.TIME AS idle_s,
        TIMESTAMPDIFF(SECOND, t.trx_started, NOW()) AS trx_age_s, t.trx_rows_locked
      FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
      WHERE p.COMMAND = 'Sleep' AND {_NOT_USER}""")
    p.note(f"{len(rows)} sleeping session(s) with an open InnoDB transaction")
    return [Finding(f"session {r['ID']} ({r['USER']}@{r['HOST']}, db {r['DB']}) has been idle for {r['idle_s']} s inside "
                    f"a transaction open for {r['trx_age_s']} s ({r['trx_rows_locked']} row(s) locked)",
                    location=f"session {r['ID']}", observed=f"{r['idle_s']} s", expected=f"< {limit:g} s")
            for r in rows if float(r["idle_s"] or 0) >= limit]


@probe("PF-12", "my.long-transactions", "No transaction stays open longer than the limit", engines="mysql",
       needs=("process",), anchors=("live:PF-15", "check_postgres txn_time"),
       fix="Split long batch transactions; a transaction open for minutes holds locks and stops purge, so undo "
           "(history list) grows for every table.")
def long_transactions(db, p):
    limit = float(p.threshold("max_transaction_age_s"))
    rows = db.rows("""SELECT t.trx_mysql_thread_id AS id, t.trx_state, TIMESTAMPDIFF(SECOND, t.trx_started, NOW()) AS age_s,
        p.USER, p.HOST FROM information_schema.INNODB_TRX t
        LEFT JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
        WHERE t.trx_mysql_thread_id <> CONNECTION_ID() ORDER BY t.trx_started""")
    p.note(f"{len(rows)} open InnoDB transaction(s); oldest {rows[0]['age_s'] if rows else 0} s")
    return [Finding(f"transaction of session {r['id']} ({r['USER']}@{r['HOST']}, {r['trx_state']}) open for "
                    f"{r['age_s']} s", location=f"session {r['id']}", observed=f"{r['age_s']} s",
                    expected=f"< {limit:g} s", severity="Critical" if float(r["age_s"] or 0) >= 3600 else None)
            for r in rows if float(r["age_s"] or 0) >= limit]


@probe("PF-12", "my.long-running-queries", "No statement runs longer than the limit", engines="mysql",
       needs=("process",), thresholds={"long_query_max_s": 60},
       anchors=("live:PF-14", "PgHero long_running_query_sec 60", "check_postgres query_time"),
       fix="Find the statement's plan (EXPLAIN FOR CONNECTION <id>), add the missing index or move the work to a "
           "replica; cap runaway statements with max_execution_time / max_statement_time.")
def long_running_queries(db, p):
    limit = float(p.threshold("long_query_max_s"))
    rows = db.rows(f"""SELECT p.ID, p.USER, p.HOST, p.DB, p.TIME, p.STATE, LEFT(p.INFO, 120) AS sql_text
      FROM information_schema.PROCESSLIST p
      WHERE p.COMMAND IN ('Query', 'Execute') AND {_NOT_USER} AND p.TIME >= :lim ORDER BY p.TIME DESC""", lim=limit)
    p.note(f"{len(rows)} statement(s) running for {limit:g} s or more")
    return [Finding(f"session {r['ID']} ({r['USER']}@{r['HOST']}) has run for {r['TIME']} s: {r['sql_text']}",
                    location=f"session {r['ID']}", observed=f"{r['TIME']} s", expected=f"< {limit:g} s")
            for r in rows]


@probe("PF-12", "my.blocked-sessions", "No transaction waits on a row lock longer than the limit", engines="mysql",
       needs=("process",), anchors=("live:PF-16", "check_postgres lockwait 1 min"),
       fix="Find the blocker (sys.innodb_lock_waits / performance_schema.data_lock_waits), shorten the transactions "
           "that hold the locks, and touch rows in a consistent order.")
def blocked_sessions(db, p):
    limit = float(p.threshold("max_lock_wait_s"))
    rows = db.rows("""SELECT trx_mysql_thread_id AS id, TIMESTAMPDIFF(SECOND, trx_wait_started, NOW()) AS wait_s,
        LEFT(trx_query, 120) AS sql_text FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'""")
    p.note(f"{len(rows)} transaction(s) waiting for a lock now; Innodb_row_lock_current_waits "
           f"{stat(db, 'Innodb_row_lock_current_waits')}")
    return [Finding(f"session {r['id']} has waited {r['wait_s']} s for a row lock: {r['sql_text']}",
                    location=f"session {r['id']}", observed=f"{r['wait_s']} s", expected=f"< {limit:g} s")
            for r in rows if float(r["wait_s"] or 0) >= limit]


@probe("PF-12", "my.row-lock-wait-time", "Row-lock waits are short on average", engines="mysql",
       anchors=("live:PF-16", "MySQLTuner"),
       fix="Shorten the transactions that hold row locks and index the columns their UPDATE/DELETE filter on "
           "(an unindexed filter locks every row it scans).")
def row_lock_wait_time(db, p):
    limit_ms = float(p.threshold("max_lock_wait_s")) * 1000
    waits, avg = need_stat(db, "Innodb_row_lock_waits"), need_stat(db, "Innodb_row_lock_time_avg")
    p.note(f"Innodb_row_lock_waits {waits:.0f}, average wait {avg:.0f} ms, longest "
           f"{stat(db, 'Innodb_row_lock_time_max') or 0:.0f} ms since start")
    young(db, p)
    if waits and avg >= limit_ms:
        return [Finding(f"row-lock waits average {avg / 1000:.1f} s over {waits:.0f} waits", observed=f"{avg:.0f} ms",
                        expected=f"< {limit_ms:.0f} ms")]
    return []


@probe("PF-12", "my.deadlock-rate", "Deadlocks stay rare", engines="mariadb",
       thresholds={"max_deadlocks_per_hour": 1}, anchors=("live:PF-17", "check_postgres commitratio"),
       fix="Take locks in one order in every code path, keep transactions short, and retry the victim; "
           "innodb_print_all_deadlocks = ON shows both statements.")
def deadlock_rate(db, p):
    return _deadlocks(db, p, need_stat(db, "Innodb_deadlocks"))


@probe("PF-12", "my.deadlock-rate-mysql", "Deadlocks stay rare", engines="mysql-only", needs=("process",),
       thresholds={"max_deadlocks_per_hour": 1}, anchors=("live:PF-17",),
       fix="Take locks in one order in every code path, keep transactions short, and retry the victim; "
           "innodb_print_all_deadlocks = ON shows both statements.")
def deadlock_rate_mysql(db, p):
    rows = db.rows("SELECT COUNT, STATUS FROM information_schema.INNODB_METRICS WHERE NAME = 'lock_deadlocks'")
    if not rows or str(rows[0]["STATUS"]).lower() != "enabled":
        raise Undecided("the InnoDB metric lock_deadlocks is disabled (SET GLOBAL innodb_monitor_enable = "
                        "'lock_deadlocks')")
    return _deadlocks(db, p, float(rows[0]["COUNT"] or 0))


def _deadlocks(db, p, count: float):
    hours = max(uptime_s(db), 3600) / 3600
    rate = count / hours
    limit = float(p.threshold("max_deadlocks_per_hour"))
    p.note(f"{count:.0f} deadlock(s) in {uptime_s(db) / 3600:.1f} h since start ({rate:.2f} per hour)")
    if rate > limit:
        return [Finding(f"{count:.0f} deadlocks since start, {rate:.1f} per hour", observed=f"{rate:.2f}/h",
                        expected=f"<= {limit:g}/h")]
    return []


@probe("PF-12", "my.session-timeouts", "Server-wide timeouts bound idle sessions, statements and lock waits",
       engines="mysql", thresholds={"idle_session_timeout_max_s": 28800},
       anchors=("live:AT-06", "postgres-checkup G003"),
       fix="Set max_statement_time (MariaDB, seconds) / max_execution_time (MySQL, ms, SELECT only) for "
           "application accounts or globally, innodb_lock_wait_timeout <= 60 s, and wait_timeout to what the pools "
           "need.")
def session_timeouts(db, p):
    v = variables(db)
    out = []
    if db.flavor == "mariadb":
        name, value = "max_statement_time", float(v.get("max_statement_time") or 0)
    else:
        name, value = "max_execution_time", float(v.get("max_execution_time") or 0)
    lock = float(v.get("innodb_lock_wait_timeout") or 0)
    wait = float(v.get("wait_timeout") or 0)
    p.note(f"global {name} = {value:g}, innodb_lock_wait_timeout = {lock:g} s, wait_timeout = {wait:g} s")
    if value == 0:
        out.append(Finding(f"no server-wide statement timeout ({name} = 0): a runaway query runs until killed",
                           observed=f"{name} = 0", expected="a limit for application sessions", severity="Medium"))
    if lock > float(p.threshold("max_lock_wait_s")):
        out.append(Finding(f"innodb_lock_wait_timeout = {lock:g} s: a blocked statement waits that long",
                           observed=f"{lock:g} s", expected=f"<= {p.threshold('max_lock_wait_s')} s"))
    if wait > float(p.threshold("idle_session_timeout_max_s")):
        out.append(Finding(f"wait_timeout = {wait:g} s keeps abandoned idle connections open",
                           observed=f"{wait:g} s", expected=f"<= {p.threshold('idle_session_timeout_max_s')} s"))
    return out
