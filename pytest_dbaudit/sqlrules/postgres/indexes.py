"""Building and dropping indexes without blocking writes."""

from __future__ import annotations

from ..registry import postgres_rule as rule
from . import nodes as n


@rule("require-concurrent-index-creation", on=("IndexStmt",), severity="High",
      squawk="require-concurrent-index-creation", strong_migrations="add_index",
      summary="CREATE INDEX without CONCURRENTLY on a table that existed before this migration",
      fix="CREATE INDEX CONCURRENTLY, in a migration that does not run inside a transaction block")
def require_concurrent_index_creation(stmt, state):
    """A plain CREATE INDEX holds a SHARE lock on the table for the whole build: every INSERT,
    UPDATE and DELETE waits until the index is complete, minutes on a large table. CONCURRENTLY
    builds it in two passes and blocks only schema changes."""
    node = stmt.node
    table = n.relation(node.get("relation"))
    if node.get("concurrent") or state.is_new_table(table):
        return
    if not node["relation"].get("inh", True):
        return  # ON ONLY a partitioned parent: creates an invalid placeholder, builds nothing
    name = node.get("idxname", "(unnamed)")
    yield f"index {name} is built on {table} without CONCURRENTLY; writes to {table} wait for the whole build"


@rule("require-concurrent-index-deletion", on=("DropStmt",), severity="Medium",
      squawk="require-concurrent-index-deletion", strong_migrations="remove_index",
      summary="DROP INDEX without CONCURRENTLY",
      fix="DROP INDEX CONCURRENTLY IF EXISTS, outside a transaction block")
def require_concurrent_index_deletion(stmt, state):
    """DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table: it waits behind every running
    query on that table and blocks all reads and writes queued after it."""
    node = stmt.node
    if node.get("removeType") != "OBJECT_INDEX" or node.get("concurrent"):
        return
    names = [x for x in n.drop_object_names(node) if not state.is_new_index(x)]
    if names:
        yield f"DROP INDEX {', '.join(names)} without CONCURRENTLY locks the table against reads and writes"


@rule("ban-concurrent-index-creation-in-transaction",
      on=("IndexStmt", "DropStmt", "ReindexStmt", "AlterTableStmt.DetachPartition"), severity="High",
      squawk="ban-concurrent-index-creation-in-transaction",
      summary="CREATE INDEX CONCURRENTLY (or another CONCURRENTLY operation) inside a transaction block",
      fix="run the CONCURRENTLY statement in a migration without a transaction (Alembic autocommit_block, "
          "Django atomic = False) and keep it the only statement there")
def ban_concurrent_index_creation_in_transaction(stmt, state):
    """PostgreSQL refuses CONCURRENTLY inside a transaction block, so the migration fails when it runs;
    with an ORM that wraps every migration in a transaction it fails every time."""
    if not state.in_transaction:
        return
    node, what = stmt.node, ""
    if stmt.kind == "IndexStmt" and node.get("concurrent"):
        what = "CREATE INDEX CONCURRENTLY"
    elif stmt.kind == "DropStmt" and node.get("concurrent"):
        what = "DROP INDEX CONCURRENTLY"
    elif stmt.kind == "ReindexStmt" and "concurrently" in n.defelem_names(node.get("params")):
        what = "REINDEX CONCURRENTLY"
    elif stmt.kind == "AlterTableStmt":
        for cmd in n.alter_cmds(node):
            pc = n.cmd_def(cmd, "PartitionCmd")
            if n.subtype(cmd) == "DetachPartition" and pc and pc.get("concurrent"):
                what = "DETACH PARTITION CONCURRENTLY"
    if what:
        where = f"the transaction opened on line {state.explicit_begin.line}" if state.explicit_begin \
            else "the transaction the migration tool wraps around the file"
        yield f"{what} cannot run inside a transaction block; it is inside {where}"


@rule("require-concurrent-reindex", on=("ReindexStmt",), severity="High",
      squawk="require-concurrent-reindex",
      summary="REINDEX without CONCURRENTLY",
      fix="REINDEX ... CONCURRENTLY (PostgreSQL 12+); before 12, CREATE INDEX CONCURRENTLY a copy and swap it in",
      versions="REINDEX CONCURRENTLY exists from PostgreSQL 12")
def require_concurrent_reindex(stmt, state):
    """REINDEX locks out writes to the table (and reads that would use the index) while it rebuilds;
    REINDEX CONCURRENTLY builds the replacement alongside and swaps it in."""
    if "concurrently" in n.defelem_names(stmt.node.get("params")):
        return
    target = n.relation(stmt.node.get("relation")) or stmt.node.get("name", "")
    if stmt.node.get("relation") and state.is_new(
            "INDEX" if stmt.node.get("kind") == "REINDEX_OBJECT_INDEX" else "TABLE", target):
        return
    hint = "" if state.at_least(12) else " (this server predates REINDEX CONCURRENTLY: build a copy concurrently)"
    yield f"REINDEX {target} without CONCURRENTLY blocks writes while it rebuilds{hint}"


@rule("index-too-many-columns", on=("IndexStmt",), severity="Low", strong_migrations="add_index_columns",
      summary="non-unique index on more than three columns",
      fix="index the one to three most selective columns; add more only when a measured query needs them")
def index_too_many_columns(stmt, state):
    """Beyond three columns a non-unique B-tree index rarely makes a query faster, but it is larger,
    slower to update on every write, and its trailing columns are seldom used."""
    node = stmt.node
    cols = len(node.get("indexParams", ()))
    if not node.get("unique") and not node.get("primary") and cols > 3:
        yield f"index {node.get('idxname', '(unnamed)')} has {cols} columns"


@rule("concurrent-index-corruption", on=("IndexStmt", "ReindexStmt"), severity="High",
      strong_migrations="add_index_corruption",
      summary="CONCURRENTLY index build on PostgreSQL 14.0-14.3",
      fix="upgrade to 14.4 or later before building or rebuilding indexes concurrently, then REINDEX the "
          "indexes built concurrently on 14.0-14.3",
      versions="only PostgreSQL 14.0 to 14.3 (the bug was fixed in 14.4)")
def concurrent_index_corruption(stmt, state):
    """PostgreSQL 14.0-14.3 can silently miss rows in indexes built or rebuilt CONCURRENTLY while
    rows are being updated; queries using the index then return wrong results."""
    if not (14, 0) <= state.version < (14, 4):
        return
    concurrent = stmt.node.get("concurrent") if stmt.kind == "IndexStmt" \
        else "concurrently" in n.defelem_names(stmt.node.get("params"))
    if concurrent:
        yield f"concurrent index builds on PostgreSQL {state.version[0]}.{state.version[1]} can corrupt the index"
