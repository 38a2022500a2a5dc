"""Adding and changing columns of existing MySQL/MariaDB tables."""

from __future__ import annotations

from sqlglot import exp

from ..registry import mysql_rule as rule
from .nodes import alter_of_existing, column_constraints


def _added_columns(stmt, state):
    table, actions, _ = alter_of_existing(stmt, state)
    for action in actions:
        if isinstance(action, exp.ColumnDef):
            yield table, action, column_constraints(action)


def _modified(stmt, state):
    table, actions, options = alter_of_existing(stmt, state)
    for action in actions:
        if isinstance(action, exp.ModifyColumn) and isinstance(action.this, exp.ColumnDef):
            yield table, action, options


@rule("changing-column-type", on=("Alter",), severity="High", strong_migrations="change_column",
      summary="MODIFY / CHANGE COLUMN on an existing table without ALGORITHM=INPLACE or INSTANT",
      fix="add ALGORITHM=INPLACE, LOCK=NONE so the server refuses a change it would do by copying; "
          "for a real type change use gh-ost or pt-online-schema-change")
def change_column(stmt, state):
    """MODIFY/CHANGE restates the whole column. Only a few changes run in place (a rename, a wider
    VARCHAR within the same length-byte range, ENUM/SET members appended at the end); every other
    one copies the table with writes blocked. Stating ALGORITHM=INPLACE (or INSTANT) makes the
    server fail fast instead of silently copying."""
    for table, action, options in _modified(stmt, state):
        if options.get("ALGORITHM") not in ("INPLACE", "INSTANT"):
            column = action.this.name
            kind = action.this.args.get("kind")
            yield f"{table}.{column} is redefined as {kind.sql(dialect='mysql') if kind else '?'} without " \
                  f"ALGORITHM=INPLACE: unless the change is in-place, the table is copied while writes wait"


@rule("adding-not-nullable-field", on=("Alter",), severity="High", strong_migrations="change_column_null_mysql",
      summary="MODIFY / CHANGE COLUMN ... NOT NULL on an existing table",
      fix="backfill NULLs in batches first, then make the column NOT NULL with ALGORITHM=INPLACE, LOCK=NONE "
          "in a quiet period")
def change_column_null(stmt, state):
    """Making a column NOT NULL rebuilds the table and fails outright (or, without strict mode,
    silently rewrites NULLs to zero values) if any row is NULL."""
    for table, action, _ in _modified(stmt, state):
        for c in column_constraints(action.this):
            if isinstance(c, exp.NotNullColumnConstraint) and not c.args.get("allow_null"):
                yield f"{table}.{action.this.name} is made NOT NULL: the table is rebuilt and every row checked"


@rule("adding-auto-increment-column", on=("Alter",), severity="High",
      strong_migrations="add_column_auto_incrementing",
      summary="ADD COLUMN ... AUTO_INCREMENT on an existing table",
      fix="create a new table with the column and copy rows over (gh-ost / pt-online-schema-change)")
def add_column_auto_increment(stmt, state):
    """Numbering existing rows needs a table copy with writes blocked (ALGORITHM=COPY, LOCK=SHARED)."""
    for table, col, cons in _added_columns(stmt, state):
        if any(isinstance(c, exp.AutoIncrementColumnConstraint) for c in cons):
            yield f"AUTO_INCREMENT column {col.name} is added to {table}: the table is copied while writes wait"


@rule("adding-generated-stored-column", on=("Alter",), severity="High",
      strong_migrations="add_column_generated_stored",
      summary="ADD COLUMN ... GENERATED ALWAYS AS (...) STORED on an existing table",
      fix="add a VIRTUAL generated column (in place), or a plain column filled by a batched backfill")
def add_column_generated_stored(stmt, state):
    """A STORED generated column is computed and written for every row: InnoDB copies the table.
    VIRTUAL columns are computed on read and are added in place."""
    for table, col, cons in _added_columns(stmt, state):
        if any(isinstance(c, exp.ComputedColumnConstraint) and c.args.get("persisted") for c in cons):
            yield f"STORED generated column {col.name} is added to {table}: the table is copied"


@rule("adding-field-with-default", on=("Alter",), severity="Medium", strong_migrations="add_column_default",
      summary="ADD COLUMN with an expression default, DEFAULT (expr), on an existing table",
      fix="add the column with a literal default (or none) and backfill computed values in batches")
def add_column_default(stmt, state):
    """Literal defaults are stored in the data dictionary (ALGORITHM=INSTANT), but an expression
    default, DEFAULT (expr), has to be evaluated for each existing row, so the table is rebuilt."""
    for table, col, cons in _added_columns(stmt, state):
        for c in cons:
            if isinstance(c, exp.DefaultColumnConstraint) and isinstance(c.this, exp.Paren):
                yield f"column {col.name} is added to {table} with expression default {c.this.sql(dialect='mysql')}: " \
                      f"the table is rebuilt"
