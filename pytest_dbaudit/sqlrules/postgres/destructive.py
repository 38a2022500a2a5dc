"""Dropping things that running code or stored data still depend on.

Objects created earlier in the same migration are exempt: nothing can depend on them yet.
"""

from __future__ import annotations

from ..registry import postgres_rule as rule
from . import nodes as n


def _dropped(stmt, state, *objtypes: str) -> list[str]:
    node = stmt.node
    kind = node.get("removeType", "")[len("OBJECT_"):]
    if kind not in objtypes:
        return []
    return [name for name in n.drop_object_names(node) if not state.is_new(kind, name)]


@rule("ban-drop-column", on=("AlterTableStmt.DropColumn",), severity="High", squawk="ban-drop-column",
      strong_migrations="remove_column",
      summary="DROP COLUMN on an existing table",
      fix="stop reading and writing the column in a deploy first (Rails ignored_columns, Django "
          "SeparateDatabaseAndState), then drop it in a later migration")
def ban_drop_column(stmt, state):
    """Application servers still running the previous release select and insert the column; the
    moment it is gone their queries fail. ORMs that cache the column list (Active Record) fail
    even when they never use it."""
    table = n.relation(stmt.node.get("relation"))
    if state.is_new_table(table):
        return
    for cmd in n.alter_cmds(stmt.node):
        if n.subtype(cmd) == "DropColumn":
            yield f"column {table}.{cmd.get('name', '')} is dropped while deployed code may still use it"


@rule("ban-drop-table", on=("DropStmt",), severity="High", squawk="ban-drop-table",
      summary="DROP TABLE of a table that existed before this migration",
      fix="stop using the table in a deploy first; rename it aside or keep a backup until the drop is safe")
def ban_drop_table(stmt, state):
    """Deployed code that still queries the table fails, and the data is gone: a rollback of the
    application cannot bring it back."""
    for name in _dropped(stmt, state, "TABLE"):
        yield f"table {name} is dropped with its data"


@rule("ban-drop-database", on=("DropdbStmt",), severity="Critical", squawk="ban-drop-database",
      summary="DROP DATABASE",
      fix="never drop a database from a migration; do it by hand after a verified backup")
def ban_drop_database(stmt, state):
    """A migration that drops a database destroys every table in it, on every environment the
    migration reaches, production included."""
    yield f"database {stmt.node.get('dbname', '')} is dropped"


@rule("ban-truncate-cascade", on=("TruncateStmt",), severity="High", squawk="ban-truncate-cascade",
      summary="TRUNCATE ... CASCADE",
      fix="TRUNCATE the intended tables by name, without CASCADE")
def ban_truncate_cascade(stmt, state):
    """CASCADE also empties every table with a foreign key to the truncated ones, recursively: tables
    nobody named in the migration lose all their rows."""
    if stmt.node.get("behavior") == "DROP_CASCADE":
        names = ", ".join(n.relation(r.get("RangeVar")) for r in stmt.node.get("relations", ()))
        yield f"TRUNCATE {names} CASCADE also empties every table that references them"


def _drop_rule(objtype: str, label: str, squawk: str, why: str, fix: str, severity: str = "Medium"):
    """The squawk ban-drop-<object> family: same shape, one rule each so each can be suppressed alone."""

    def check(stmt, state):
        for name in _dropped(stmt, state, objtype):
            yield f"{label} {name} is dropped while deployed code may still use it"

    check.__doc__ = why
    check.__name__ = squawk.replace("-", "_")
    rule(squawk, on=("DropStmt",), severity=severity, squawk=squawk, summary=f"DROP {label.upper()}",
         fix=fix)(check)


_drop_rule("VIEW", "view", "ban-drop-view",
           "Queries and other views that read the view fail once it is gone.",
           "stop using the view in a deploy first, then drop it")
_drop_rule("FUNCTION", "function", "ban-drop-function",
           "Code, triggers, defaults and views that call the function fail once it is gone.",
           "stop calling the function in a deploy first, then drop it")
_drop_rule("TYPE", "type", "ban-drop-type",
           "Columns, functions and client code that use the type break; dropping with CASCADE drops "
           "those columns too.",
           "stop using the type first; never DROP TYPE ... CASCADE in a migration")
_drop_rule("SCHEMA", "schema", "ban-drop-schema",
           "Everything in the schema is dropped with it (with CASCADE) or the drop fails halfway through a "
           "deploy; code that uses any of its objects breaks.",
           "move or drop the schema's objects explicitly, after code stopped using them")
_drop_rule("SEQUENCE", "sequence", "ban-drop-sequence",
           "Column defaults and code calling nextval() on the sequence fail once it is gone.",
           "drop the defaults that use the sequence first, then the sequence")
_drop_rule("DOMAIN", "domain", "ban-drop-domain",
           "Columns of the domain type break (or are dropped with CASCADE).",
           "retype the columns that use the domain first, then drop it")
_drop_rule("EXTENSION", "extension", "ban-drop-extension",
           "Types, functions and operators the extension provides disappear, with every column and "
           "index built on them (CASCADE) or the drop fails.",
           "remove every use of the extension's objects first")
