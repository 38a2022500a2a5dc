"""Renaming or moving objects that deployed code refers to by name.

During a deploy the previous release keeps running for a while; every name it uses must still
exist. Objects created earlier in the same migration are exempt.
"""

from __future__ import annotations

from ..registry import postgres_rule as rule
from . import nodes as n


@rule("renaming-column", on=("RenameStmt",), severity="High", squawk="renaming-column",
      strong_migrations="rename_column",
      summary="RENAME COLUMN on an existing table or view",
      fix="add the new column, write both, backfill, move reads, then drop the old one; or a view with the new name")
def renaming_column(stmt, state):
    """Deployed code selects and writes the old column name; it fails from the moment the rename
    commits until every server runs the new release."""
    node = stmt.node
    table = n.relation(node.get("relation"))
    if node.get("renameType") == "OBJECT_COLUMN" and not state.is_new_table(table):
        yield f"column {table}.{node.get('subname', '')} is renamed to {node.get('newname', '')}"


@rule("renaming-table", on=("RenameStmt",), severity="High", squawk="renaming-table",
      strong_migrations="rename_table",
      summary="RENAME of an existing table",
      fix="create the new table (or a view with the new name), move code over, then drop the old name")
def renaming_table(stmt, state):
    """Deployed code queries the old table name; it fails from the moment the rename commits."""
    node = stmt.node
    table = n.relation(node.get("relation"))
    if node.get("renameType") == "OBJECT_TABLE" and not state.is_new_table(table):
        yield f"table {table} is renamed to {node.get('newname', '')}"


@rule("renaming-object", on=("RenameStmt",), severity="Medium", squawk="renaming-object",
      strong_migrations="rename_schema",
      summary="RENAME of a schema, view, index, constraint, sequence, type, function or other object",
      fix="create the object under the new name next to the old one and move code over before dropping the old")
def renaming_object(stmt, state):
    """Code, views and ON CONFLICT clauses refer to schemas, views, sequences, constraints and
    functions by name; they fail once the old name is gone."""
    kind, name = stmt.node.get("renameType", "")[len("OBJECT_"):], n.object_name(stmt.node)
    if kind in ("COLUMN", "TABLE") or state.is_new(kind, name):
        return
    label = {"TABCONSTRAINT": "constraint", "MATVIEW": "materialized view"}.get(kind, kind.lower().replace("_", " "))
    old = stmt.node.get("subname") if kind == "TABCONSTRAINT" else name
    yield f"{label} {old} is renamed to {stmt.node.get('newname', '')}"


@rule("ban-set-schema", on=("AlterObjectSchemaStmt",), severity="Medium", squawk="ban-set-schema",
      summary="ALTER ... SET SCHEMA",
      fix="move code to the new schema-qualified name first (or rely on search_path to cover both)")
def ban_set_schema(stmt, state):
    """Moving an object to another schema changes its qualified name: code and views that name the
    old schema fail."""
    node = stmt.node
    kind = node.get("objectType", "")[len("OBJECT_"):]
    name = n.object_name(node)
    if not state.is_new(kind, name):
        yield f"{kind.lower()} {name} moves to schema {node.get('newschema', '')}"
