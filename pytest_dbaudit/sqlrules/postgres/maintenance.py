"""Table maintenance and partition management that lock a whole table for a long time."""

from __future__ import annotations

from ..registry import postgres_rule as rule
from . import nodes as n


@rule("prefer-repack", on=("VacuumStmt", "ClusterStmt"), severity="High", squawk="prefer-repack",
      summary="VACUUM FULL or CLUSTER on an existing table",
      fix="REPACK ... CONCURRENTLY (PostgreSQL 19+), or pg_repack before that",
      versions="REPACK CONCURRENTLY exists from PostgreSQL 19; the lock problem exists on every version")
def prefer_repack(stmt, state):
    """VACUUM FULL and CLUSTER rewrite the table under an ACCESS EXCLUSIVE lock: no reads or writes
    until the copy is complete, which on a large table is an outage. REPACK CONCURRENTLY and
    pg_repack rebuild the table beside the live one and hold the strong lock only for the swap."""
    node = stmt.node
    if stmt.kind == "VacuumStmt":
        if not node.get("is_vacuumcmd") or "full" not in n.defelem_names(node.get("options")):
            return
        tables = [n.relation(r["VacuumRelation"].get("relation")) for r in node.get("rels", ())]
        what = "VACUUM FULL"
    else:
        tables = [n.relation(node.get("relation"))] if node.get("relation") else []
        what = "CLUSTER"
    tables = [t for t in tables if not state.is_new_table(t)] if tables else ["every table it applies to"]
    if tables:
        alternative = "REPACK CONCURRENTLY" if state.at_least(19) else "pg_repack"
        yield f"{what} rewrites {', '.join(tables)} under an ACCESS EXCLUSIVE lock; use {alternative}"


@rule("require-concurrent-partition-detach", on=("AlterTableStmt.DetachPartition",), severity="High",
      squawk="require-concurrent-partition-detach",
      summary="DETACH PARTITION without CONCURRENTLY",
      fix="ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), outside a transaction block",
      versions="DETACH PARTITION CONCURRENTLY exists from PostgreSQL 14")
def require_concurrent_partition_detach(stmt, state):
    """A plain DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned table: every query
    on any partition waits. CONCURRENTLY needs only SHARE UPDATE EXCLUSIVE."""
    parent = n.relation(stmt.node.get("relation"))
    if state.is_new_table(parent):
        return
    for cmd in n.alter_cmds(stmt.node):
        pc = n.cmd_def(cmd, "PartitionCmd")
        if n.subtype(cmd) == "DetachPartition" and pc and not pc.get("concurrent"):
            hint = "" if state.at_least(14) else " (CONCURRENTLY needs PostgreSQL 14)"
            yield f"partition {n.relation(pc.get('name'))} is detached from {parent} under an ACCESS EXCLUSIVE " \
                  f"lock{hint}"
