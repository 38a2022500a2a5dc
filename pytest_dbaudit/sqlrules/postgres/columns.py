"""Adding and changing columns of tables that already hold data."""

from __future__ import annotations

from ..registry import postgres_rule as rule
from . import nodes as n
from .volatility import is_null, rewrite_reason


def _existing(stmt, state) -> str:
    """The ALTER TABLE's table, or "" when it was created in this migration (empty, unseen)."""
    table = n.relation(stmt.node.get("relation"))
    return "" if state.is_new_table(table) else table


def _added_columns(stmt, state):
    table = _existing(stmt, state)
    if not table:
        return
    for cmd in n.alter_cmds(stmt.node):
        if n.subtype(cmd) == "AddColumn":
            col = n.cmd_def(cmd, "ColumnDef") or {}
            yield table, col, {n.contype(c): c for c in n.constraints(col)}


def _column_cmds(stmt, state, *subtypes: str):
    table = _existing(stmt, state)
    if table:
        for cmd in n.alter_cmds(stmt.node):
            if n.subtype(cmd) in subtypes:
                yield table, cmd


def _auto_increment(col: dict, cons: dict) -> bool:
    return n.type_name(col.get("typeName")) in n.SERIAL or "IDENTITY" in cons


@rule("adding-field-with-default", on=("AlterTableStmt.AddColumn",), severity="High",
      squawk="adding-field-with-default", strong_migrations="add_column_default",
      summary="ADD COLUMN with a default that rewrites the table: any default before PostgreSQL 11, "
              "a volatile one after",
      fix="add the column without a default (or with a constant one on 11+), backfill in batches, "
          "then SET DEFAULT for new rows",
      versions="before 11 every non-NULL default rewrites; from 11 only volatile defaults do")
def adding_field_with_default(stmt, state):
    """A default that must be computed per row (before PostgreSQL 11: any default) makes ADD COLUMN
    rewrite the whole table under an ACCESS EXCLUSIVE lock: no reads or writes until it is done.
    From 11, a constant or stable default (now(), 'x', 0, '{}'::jsonb) is stored once in the catalog."""
    for table, col, cons in _added_columns(stmt, state):
        default = cons.get("DEFAULT")
        if not default or is_null(default.get("raw_expr")) or _auto_increment(col, cons):
            continue
        name = col.get("colname", "")
        if not state.at_least(11):
            yield f"column {name} is added to {table} with a default; before PostgreSQL 11 that rewrites the table"
            continue
        reason = rewrite_reason(default.get("raw_expr"))
        if reason:
            yield f"column {name} is added to {table} with a default that is computed per row ({reason}); " \
                  f"the table is rewritten"


@rule("adding-required-field", on=("AlterTableStmt.AddColumn",), severity="High",
      squawk="adding-required-field",
      summary="ADD COLUMN ... NOT NULL without a default on an existing table",
      fix="add the column nullable, backfill it, then add the NOT NULL (via a validated CHECK); or give it a default")
def adding_required_field(stmt, state):
    """On a table with rows, a NOT NULL column without a default fails at once (every existing row
    would be NULL); on an empty one it succeeds and breaks inserts from code that does not know the
    column yet."""
    for table, col, cons in _added_columns(stmt, state):
        not_null = "NOTNULL" in cons or "PRIMARY" in cons or col.get("is_not_null")
        if not_null and "DEFAULT" not in cons and "GENERATED" not in cons and not _auto_increment(col, cons):
            yield f"column {col.get('colname', '')} is added to {table} as NOT NULL without a default"


@rule("adding-not-nullable-field", on=("AlterTableStmt.SetNotNull", "AlterTableStmt.AddConstraint"), severity="High",
      squawk="adding-not-nullable-field", strong_migrations="change_column_null",
      summary="SET NOT NULL on an existing column without a validated CHECK (col IS NOT NULL) first",
      fix="ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c; then SET NOT NULL "
          "(PostgreSQL 12+ uses the constraint and skips the scan); DROP the CHECK afterwards",
      versions="from 12, a validated CHECK (col IS NOT NULL) lets SET NOT NULL skip the scan")
def adding_not_nullable_field(stmt, state):
    """SET NOT NULL scans the whole table to prove there is no NULL while holding an ACCESS EXCLUSIVE
    lock. From PostgreSQL 12 the scan is skipped when a validated CHECK constraint already proves it,
    and that CHECK can be added NOT VALID and validated without blocking writes."""
    for table, cmd in _column_cmds(stmt, state, "SetNotNull", "AddConstraint"):
        if n.subtype(cmd) == "AddConstraint":
            c = n.cmd_def(cmd, "Constraint") or {}
            if n.contype(c) == "NOTNULL" and not c.get("skip_validation"):
                yield f"NOT NULL constraint on {table}({', '.join(n.strings(c.get('keys')))}) scans the table under " \
                      f"an ACCESS EXCLUSIVE lock"
            continue
        column = cmd.get("name", "")
        if state.at_least(12) and _proven_not_null(state, table, column):
            continue
        why = "" if state.at_least(12) else "; before PostgreSQL 12 there is no way to skip the scan"
        yield f"SET NOT NULL on {table}.{column} scans the table under an ACCESS EXCLUSIVE lock{why}"


def _proven_not_null(state, table: str, column: str) -> bool:
    """A CHECK validated earlier in this migration proves the column has no NULL. A constraint added in
    an earlier migration is taken on trust; one added here must be ``column IS NOT NULL``."""
    for name in state.validated.get(table, ()):
        added = state.constraints.get((table, name))
        if added is None:
            return True
        expr = added.expr or {}
        test = expr.get("NullTest", {})
        if added.contype == "CHECK" and test.get("nulltesttype") == "IS_NOT_NULL" \
                and n.column_names(test.get("arg")) == {column}:
            return True
    return False


@rule("changing-column-type", on=("AlterTableStmt.AlterColumnType",), severity="High",
      squawk="changing-column-type", strong_migrations="change_column",
      summary="ALTER COLUMN ... TYPE on an existing table",
      fix="add a new column of the new type, backfill it in batches, switch reads and writes, then drop the old one")
def changing_column_type(stmt, state):
    """Most type changes rewrite the table and rebuild its indexes under an ACCESS EXCLUSIVE lock, and
    clients reading the column may break. Only binary-coercible changes skip the rewrite (varchar(n)
    to text or to a wider varchar, numeric to a wider precision); the old type is not in the
    migration, so this rule cannot tell those apart and a justified suppression is the way to
    accept one."""
    for table, cmd in _column_cmds(stmt, state, "AlterColumnType"):
        col = n.cmd_def(cmd, "ColumnDef") or {}
        new = n.type_label(col.get("typeName") or {})
        hint = "" if col.get("raw_default") or n.type_name(col.get("typeName")) not in ("text", "varchar") \
            else " (no rewrite only if the column is a varchar today)"
        yield f"{table}.{cmd.get('name', '')} changes type to {new}: the table is rewritten under an " \
              f"ACCESS EXCLUSIVE lock{hint}"


@rule("adding-auto-increment-column", on=("AlterTableStmt.AddColumn",), severity="High",
      strong_migrations="add_column_auto_incrementing",
      summary="ADD COLUMN serial / bigserial / GENERATED ... AS IDENTITY on an existing table",
      fix="add a nullable bigint column, attach a sequence default for new rows, backfill old rows in batches")
def adding_auto_increment_column(stmt, state):
    """Filling a new serial or identity column gives every existing row its own value, so the table
    is rewritten under an ACCESS EXCLUSIVE lock."""
    for table, col, cons in _added_columns(stmt, state):
        if _auto_increment(col, cons):
            yield f"auto-incrementing column {col.get('colname', '')} is added to {table}; every row is rewritten"


@rule("adding-generated-stored-column", on=("AlterTableStmt.AddColumn",), severity="High",
      strong_migrations="add_column_generated_stored",
      summary="ADD COLUMN ... GENERATED ALWAYS AS (...) STORED on an existing table",
      fix="add a plain column filled by a trigger and a batched backfill; or a VIRTUAL generated column "
          "(PostgreSQL 18+)",
      versions="VIRTUAL generated columns (18+) are computed on read and do not rewrite")
def adding_generated_stored_column(stmt, state):
    """A stored generated column is computed and written for every existing row: the table is
    rewritten under an ACCESS EXCLUSIVE lock."""
    for table, col, cons in _added_columns(stmt, state):
        gen = cons.get("GENERATED")
        if gen and gen.get("generated_kind", "s") == "s":
            yield f"stored generated column {col.get('colname', '')} is added to {table}; every row is rewritten"


@rule("adding-json-column", on=("AlterTableStmt.AddColumn", "CreateStmt"), severity="Low",
      strong_migrations="add_column_json",
      summary="column of type json (not jsonb)",
      fix="use jsonb")
def adding_json_column(stmt, state):
    """json has no equality operator, so SELECT DISTINCT, UNION, GROUP BY and comparisons on the
    column (or on rows containing it) fail; it is also re-parsed on every access. jsonb has
    neither problem."""
    if stmt.kind == "CreateStmt":
        cols = list(n.column_defs(stmt.node.get("tableElts")))
    else:
        cols = [n.cmd_def(c, "ColumnDef") or {} for c in n.alter_cmds(stmt.node) if n.subtype(c) == "AddColumn"]
    table = n.relation(stmt.node.get("relation"))
    for col in cols:
        if n.type_name(col.get("typeName")) == "json":
            yield f"column {table}.{col.get('colname', '')} is json; json cannot be compared (DISTINCT, UNION fail)"


@rule("ban-drop-not-null", on=("AlterTableStmt.DropNotNull",), severity="Medium", squawk="ban-drop-not-null",
      summary="DROP NOT NULL on an existing column",
      fix="make sure every reader handles NULL in this column before allowing it")
def ban_drop_not_null(stmt, state):
    """Code written against a NOT NULL column rarely handles NULL; once NULLs are allowed they arrive,
    and reports, joins and application code break on them."""
    for table, cmd in _column_cmds(stmt, state, "DropNotNull"):
        yield f"{table}.{cmd.get('name', '')} starts accepting NULL"


@rule("ban-drop-default", on=("AlterTableStmt.ColumnDefault",), severity="Medium", squawk="ban-drop-default",
      summary="DROP DEFAULT on an existing column",
      fix="deploy code that always sets the column before dropping its default")
def ban_drop_default(stmt, state):
    """Inserts that leave the column out relied on the default; without it they store NULL or fail
    on a NOT NULL column."""
    for table, cmd in _column_cmds(stmt, state, "ColumnDefault"):
        if not cmd.get("def"):
            yield f"the default of {table}.{cmd.get('name', '')} is dropped"


@rule("ban-alter-identity", on=("AlterTableStmt.AddIdentity", "AlterTableStmt.DropIdentity"),
      severity="Medium", squawk="ban-alter-identity",
      summary="ADD or DROP IDENTITY on an existing column",
      fix="keep the column's identity as it is; write explicit values from code if needed")
def ban_alter_identity(stmt, state):
    """Adding or dropping an identity changes how inserts get their key: inserts that omit the column
    start failing, or ones that set it explicitly are refused."""
    for table, cmd in _column_cmds(stmt, state, "AddIdentity", "DropIdentity"):
        action = "gains" if n.subtype(cmd) == "AddIdentity" else "loses"
        yield f"{table}.{cmd.get('name', '')} {action} its identity"


@rule("ban-drop-generated-expression", on=("AlterTableStmt.DropExpression",), severity="Medium",
      squawk="ban-drop-generated-expression",
      summary="DROP EXPRESSION on a generated column",
      fix="keep the column generated, or have the application write the value before dropping the expression")
def ban_drop_generated_expression(stmt, state):
    """After DROP EXPRESSION the column keeps its values but is no longer maintained: new and updated
    rows get NULL unless the application starts writing it."""
    for table, cmd in _column_cmds(stmt, state, "DropExpression"):
        yield f"{table}.{cmd.get('name', '')} stops being generated"
