"""MySQL and MariaDB live probes: replication and cluster health (needs the replication-monitor grant)."""

from __future__ import annotations

from ...outcomes import Finding, NotApplicable, Undecided
from ..probe import probe
from .facts import channel, galera, on, plugin_active, replica_rows, rv, topology, var

_STANDALONE = "this server replicates from no source (SHOW REPLICA STATUS is empty)"


def _channels(db):
    rows = replica_rows(db)
    if not rows:
        raise NotApplicable(_STANDALONE + ": replica health is judged on the replicas")
    return rows


@probe("HA-04", "my.replica-threads", "Replication threads run without errors", engines="mysql",
       needs=("replication",), anchors=("live:HA-03", "MySQLTuner replication", "check_postgres"),
       fix="Read Last_IO_Error / Last_SQL_Error, fix the cause (network, credentials, a conflicting row) and "
           "START REPLICA; rebuild the replica from a backup if its data diverged.")
def replica_threads(db, p):
    out = []
    for r in _channels(db):
        io, sql = rv(r, "Replica_IO_Running", "Slave_IO_Running"), rv(r, "Replica_SQL_Running", "Slave_SQL_Running")
        p.note(f"{channel(r)}: IO {io}, SQL {sql}")
        if io != "Yes" or sql != "Yes":
            err = rv(r, "Last_IO_Error") or rv(r, "Last_SQL_Error") or rv(r, "Last_Error") or ""
            out.append(Finding(f"{channel(r)}: IO thread {io}, SQL thread {sql}" + (f" ({err[:200]})" if err else ""),
                               location=channel(r), observed=f"IO {io}, SQL {sql}", expected="IO Yes, SQL Yes",
                               severity="Critical"))
    return out


@probe("HA-05", "my.replica-lag", "Replica lag stays below the target", engines="mysql", needs=("replication",),
       anchors=("live:HA-01", "MySQLTuner", "PgHero replica lag 5 s"),
       fix="Find what the applier waits on (a long transaction on the source, a table without primary key in ROW "
           "format, single-threaded apply: set replica_parallel_workers / slave_parallel_threads).")
def replica_lag(db, p):
    limit = float(p.threshold("max_replication_lag_s"))
    out = []
    for r in _channels(db):
        lag = rv(r, "Seconds_Behind_Source", "Seconds_Behind_Master")
        p.note(f"{channel(r)}: {lag} s behind")
        if lag is None:  # NULL: the SQL or IO thread is stopped, so the lag is unknowable and growing
            out.append(Finding(f"{channel(r)}: lag is NULL, replication is not running", location=channel(r),
                               observed="NULL", expected=f"< {limit:g} s", severity="Critical"))
        elif float(lag) > limit:
            out.append(Finding(f"{channel(r)}: {lag} s behind its source", location=channel(r), observed=f"{lag} s",
                               expected=f"< {limit:g} s"))
    return out


@probe("HA-06", "my.replica-read-only", "Replicas refuse writes (read_only, and super_read_only on MySQL)",
       engines="mysql", needs=("replication",), anchors=("live:HA-05", "MySQLTuner replica read-only"),
       fix="SET PERSIST read_only = ON, super_read_only = ON on every replica (MariaDB: read_only = ON and no "
           "READ ONLY ADMIN for applications); a writable replica silently diverges or becomes a second primary.")
def replica_read_only(db, p):
    _channels(db)
    out = []
    ro = var(db, "read_only", "OFF")
    p.note(f"read_only = {ro}, super_read_only = {var(db, 'super_read_only', '(n/a)')}")
    if not on(ro):
        out.append(Finding("this replica accepts writes (read_only = OFF)", observed="read_only = OFF", expected="ON"))
    if db.flavor == "mysql" and not on(var(db, "super_read_only", "OFF")):
        out.append(Finding("accounts with SUPER / CONNECTION_ADMIN can still write to this replica "
                           "(super_read_only = OFF)", observed="super_read_only = OFF", expected="ON"))
    return out


@probe("HA-02", "my.cluster-health", "The cluster that fails over automatically is healthy (Galera / Group Replication)",
       engines="mysql", needs=("replication", "process"), thresholds={"max_flow_control_paused": 0.02},
       anchors=("live:HA-08", "MySQLTuner Galera checks"),
       fix="Keep an odd number (3, 5) of synced nodes in the Primary component; find the node that throttles "
           "the cluster (flow control) and fix its disk or apply speed.")
def cluster_health(db, p):
    g = galera(db)
    if g:
        p.note(f"galera: {g}")
        out = []
        size = int(float(g.get("wsrep_cluster_size") or 0))
        if g.get("wsrep_cluster_status") != "Primary":
            out.append(Finding(f"node is in a {g.get('wsrep_cluster_status')} component: no quorum",
                               observed=g.get("wsrep_cluster_status"), expected="Primary", severity="Critical"))
        if not on(g.get("wsrep_ready")):
            out.append(Finding("node is not ready for queries (wsrep_ready = OFF)", severity="Critical"))
        if g.get("wsrep_local_state_comment") != "Synced":
            out.append(Finding(f"node state is {g.get('wsrep_local_state_comment')}", expected="Synced"))
        if size < 3 or size % 2 == 0:
            out.append(Finding(f"cluster has {size} node(s): a failure or a split can lose quorum", observed=size,
                               expected="3, 5 or another odd number"))
        paused = float(g.get("wsrep_flow_control_paused") or 0)
        if paused > float(p.threshold("max_flow_control_paused")):
            out.append(Finding(f"flow control paused replication {paused:.0%} of the time", observed=paused,
                               expected=f"< {p.threshold('max_flow_control_paused')}"))
        return out
    if db.flavor == "mysql" and plugin_active(db, "group_replication"):
        if not p.caps.has("performance_schema"):
            raise Undecided("Group Replication members are in performance_schema.replication_group_members "
                            "(GRANT SELECT ON performance_schema.* to decide)")
        members = db.rows("SELECT MEMBER_HOST, MEMBER_STATE FROM performance_schema.replication_group_members")
        p.note(f"group members: {[(m['MEMBER_HOST'], m['MEMBER_STATE']) for m in members]}")
        out = [Finding(f"member {m['MEMBER_HOST']} is {m['MEMBER_STATE']}", location=m["MEMBER_HOST"],
                       expected="ONLINE") for m in members if m["MEMBER_STATE"] != "ONLINE"]
        if len(members) < 3:
            out.append(Finding(f"group has {len(members)} member(s)", observed=len(members), expected=">= 3"))
        return out
    kind = topology(db, p.caps)["kind"]
    if kind in ("replica", "primary"):
        raise Undecided(f"asynchronous replication ({kind}): automatic failover is done by an external manager "
                        "(Orchestrator, MHA, MaxScale, a managed service), which SQL cannot see")
    raise NotApplicable("standalone server: no cluster, no replication channel and no replica attached "
                        "(AT-02 reports the missing standby)")
