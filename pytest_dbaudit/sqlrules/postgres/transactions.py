"""Transaction control in migration files, and what happens when a migration fails halfway."""

from __future__ import annotations

from ..registry import postgres_rule as rule
from . import nodes as n

_BEGIN = {"TRANS_STMT_BEGIN", "TRANS_STMT_START"}
_END = {"TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK"}
_TABLE_RENAMES = {"OBJECT_TABLE", "OBJECT_COLUMN", "OBJECT_TABCONSTRAINT"}


@rule("transaction-nesting", on=("TransactionStmt",), severity="Medium", squawk="transaction-nesting",
      summary="BEGIN inside a transaction, or COMMIT/ROLLBACK of a transaction the file did not open",
      fix="let either the file or the migration tool manage the transaction, not both")
def transaction_nesting(stmt, state):
    """PostgreSQL has no nested transactions: a second BEGIN is ignored with a warning, and the first
    COMMIT ends the outer transaction too. When the migration tool wraps the file in a transaction,
    a COMMIT in the file ends the tool's transaction and the rest runs outside it, so a later failure
    can no longer be rolled back."""
    kind = stmt.node.get("kind", "")
    if kind in _BEGIN and state.in_transaction:
        if state.explicit_begin:
            yield f"BEGIN inside the transaction opened on line {state.explicit_begin.line}; " \
                  f"PostgreSQL ignores it and the first COMMIT ends both"
        else:
            yield "BEGIN inside the transaction the migration tool already runs this file in"
    elif kind in _END and not state.explicit_begin:
        what = "COMMIT" if kind == "TRANS_STMT_COMMIT" else "ROLLBACK"
        if state.in_transaction:
            yield f"{what} ends the transaction the migration tool manages; what follows runs outside it"
        else:
            yield f"{what} without a transaction in progress"


@rule("ban-uncommitted-transaction", severity="High", squawk="ban-uncommitted-transaction",
      summary="BEGIN without a matching COMMIT by the end of the file",
      fix="end the file with COMMIT")
def ban_uncommitted_transaction(stmt, state):
    """If the file opens a transaction and never commits it, the session ends with it open and
    PostgreSQL rolls everything back: the migration reports success and nothing is applied."""
    if not state.last or state.assume_in_transaction:
        return
    opened = state.explicit_begin  # the transaction left open once this last statement has run
    kind = stmt.node.get("kind") if stmt.kind == "TransactionStmt" else ""
    if kind in _BEGIN and opened is None:
        opened = stmt
    elif kind in _END:
        opened = (opened or stmt) if stmt.node.get("chain") else None
    if opened is not None:
        yield "the transaction opened here is never committed", opened


@rule("prefer-robust-stmts", severity="Low", squawk="prefer-robust-stmts",
      on=("AlterTableStmt", "IndexStmt", "CreateStmt", "DropStmt", "RenameStmt", "AlterObjectSchemaStmt"),
      summary="statement that cannot be re-run after a partial failure of a migration without a transaction",
      fix="IF [NOT] EXISTS on CREATE/DROP/ADD COLUMN/DROP COLUMN/DROP CONSTRAINT, or wrap the file in a transaction")
def prefer_robust_stmts(stmt, state):
    """A migration that runs outside a transaction and fails halfway leaves the first statements
    applied; re-running it then fails on them (relation already exists) unless each statement is
    idempotent. CREATE INDEX CONCURRENTLY always runs outside a transaction, so it needs IF NOT
    EXISTS even in a transactional file."""
    node, kind = stmt.node, stmt.kind
    outside = not state.in_transaction
    if kind == "AlterTableStmt":
        seen = state.memo.setdefault("prefer-robust-stmts", {})  # constraint name -> "dropped" | "added"
        for cmd in n.alter_cmds(node):
            sub, name = n.subtype(cmd), cmd.get("name", "")
            if sub == "DropConstraint":
                seen[name] = "dropped"
                if cmd.get("missing_ok"):
                    continue
                problem = f"DROP CONSTRAINT {name} without IF EXISTS"
            elif sub in ("AddColumn", "DropColumn"):
                if cmd.get("missing_ok"):
                    continue
                col = (n.cmd_def(cmd, "ColumnDef") or {}).get("colname", name)
                problem = f"{'ADD' if sub == 'AddColumn' else 'DROP'} COLUMN {col} without " \
                          f"IF {'NOT ' if sub == 'AddColumn' else ''}EXISTS"
            elif sub == "ValidateConstraint":
                if name in seen:
                    continue
                problem = f"VALIDATE CONSTRAINT {name} outside a transaction"
            elif sub == "AddConstraint":
                conname = (n.cmd_def(cmd, "Constraint") or {}).get("conname", "")
                if seen.get(conname) == "dropped":  # DROP CONSTRAINT IF EXISTS; ADD CONSTRAINT is re-runnable
                    seen[conname] = "added"
                    continue
                problem = f"ADD CONSTRAINT {conname or '(unnamed)'} outside a transaction"
            else:
                problem = f"ALTER TABLE ... {sub} outside a transaction"
            if outside:
                yield f"{problem}: the migration cannot be re-run if it fails part way through"
    elif kind == "IndexStmt":
        if not node.get("if_not_exists") and node.get("idxname") and (node.get("concurrent") or outside):
            yield f"CREATE INDEX {node['idxname']} without IF NOT EXISTS: the migration cannot be re-run " \
                  f"if it fails part way through"
    elif kind == "CreateStmt" and outside and not node.get("if_not_exists"):
        rel = node.get("relation") or {}
        if rel.get("relpersistence") == "t" and node.get("oncommit") == "ONCOMMIT_DROP":
            return
        yield f"CREATE TABLE {n.relation(rel)} without IF NOT EXISTS: the migration cannot be re-run " \
              f"if it fails part way through"
    elif kind in ("RenameStmt", "AlterObjectSchemaStmt") and outside:
        # ALTER TABLE ... RENAME / SET SCHEMA: once applied, the old name no longer resolves on a re-run
        what = node.get("renameType") or node.get("objectType") or ""
        if what in _TABLE_RENAMES and not node.get("missing_ok"):
            action = "SET SCHEMA" if "objectType" in node else "RENAME"
            yield f"ALTER TABLE {n.relation(node.get('relation'))} ... {action} outside a transaction: " \
                  f"the migration cannot be re-run if it fails part way through"
    elif kind == "DropStmt" and outside and not node.get("missing_ok"):
        what = node.get("removeType", "")[len("OBJECT_"):]
        if what in ("INDEX", "TABLE", "TYPE"):
            yield f"DROP {what} {', '.join(n.drop_object_names(node))} without IF EXISTS: the migration " \
                  f"cannot be re-run if it fails part way through"


@rule("backfill-in-ddl-transaction", on=("UpdateStmt", "DeleteStmt", "InsertStmt"), severity="Medium",
      summary="UPDATE/DELETE/INSERT on a table altered earlier in the same transaction",
      fix="commit the schema change first, then backfill in batches in separate transactions")
def backfill_in_ddl_transaction(stmt, state):
    """ALTER TABLE takes a lock that is held until the transaction ends; a backfill in the same
    transaction keeps the table locked (usually against all reads and writes) for as long as the
    backfill runs, instead of the milliseconds the DDL needed."""
    if not state.in_transaction:
        return
    table = n.relation(stmt.node.get("relation"))
    ddl = state.locked_in_transaction.get(table) or state.locked_in_transaction.get(n.bare(table))
    if ddl is not None:
        verb = stmt.kind[: -len("Stmt")].upper()
        yield f"{verb} of {table} runs in the transaction that altered it on line {ddl.line}; the ALTER's lock " \
              f"is held until the data change commits"
