"""Dropping and renaming what deployed code still uses (MySQL/MariaDB)."""

from __future__ import annotations

from sqlglot import exp

from ..registry import mysql_rule as rule
from .nodes import alter_of_existing, table_name


@rule("ban-drop-column", on=("Alter",), severity="High", strong_migrations="remove_column",
      summary="DROP COLUMN on an existing table",
      fix="stop reading and writing the column in a deploy first, then drop it in a later migration")
def drop_column(stmt, state):
    """Application servers still running the previous release select and insert the column; they fail
    the moment it is gone."""
    table, actions, _ = alter_of_existing(stmt, state)
    for action in actions:
        if isinstance(action, exp.Drop) and (action.args.get("kind") or "").upper() == "COLUMN":
            for col in action.args.get("tables") or action.expressions:
                yield f"column {table}.{col.name} is dropped while deployed code may still use it"


@rule("ban-drop-table", on=("Drop",), severity="High",
      summary="DROP TABLE of a table that existed before this migration",
      fix="stop using the table in a deploy first; keep a backup until the drop is safe")
def drop_table(stmt, state):
    """Deployed code that still queries the table fails, and the data is gone."""
    node = stmt.node
    if (node.args.get("kind") or "").upper() != "TABLE":
        return
    for t in node.args.get("tables") or node.expressions:
        name = table_name(t)
        if not state.is_new_table(name):
            yield f"table {name} is dropped with its data"


@rule("renaming-column", on=("Alter",), severity="High", strong_migrations="rename_column",
      summary="RENAME COLUMN (or CHANGE old new) on an existing table",
      fix="add the new column, write both, backfill, move reads, then drop the old one")
def rename_column(stmt, state):
    """Deployed code selects and writes the old column name; it fails from the moment the rename is
    applied until every server runs the new release."""
    table, actions, _ = alter_of_existing(stmt, state)
    for action in actions:
        if isinstance(action, exp.RenameColumn):
            yield f"column {table}.{action.this.name} is renamed to {action.args['to'].name}"
        elif isinstance(action, exp.ModifyColumn) and action.args.get("rename_from") is not None:
            old, new = action.args["rename_from"].name, action.this.name
            if old.lower() != new.lower():
                yield f"column {table}.{old} is renamed to {new}"


@rule("renaming-table", on=("Alter",), severity="High", strong_migrations="rename_table",
      summary="ALTER TABLE ... RENAME TO on an existing table",
      fix="create the new table (or a view with the new name), move code over, then drop the old name")
def rename_table(stmt, state):
    """Deployed code queries the old table name; it fails from the moment the rename is applied."""
    table, actions, _ = alter_of_existing(stmt, state)
    for action in actions:
        if isinstance(action, exp.AlterRename):
            yield f"table {table} is renamed to {table_name(action.this)}"
