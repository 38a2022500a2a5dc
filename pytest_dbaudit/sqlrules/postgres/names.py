"""Names: too long to survive, unqualified, or given twice."""

from __future__ import annotations

from collections import Counter

from pglast import parser as pg

from ..registry import postgres_rule as rule
from . import nodes as n

MAX_IDENTIFIER_BYTES = 63  # NAMEDATALEN - 1


@rule("identifier-too-long", severity="Medium", squawk="identifier-too-long",
      summary="identifier longer than 63 bytes",
      fix="shorten the name to at most 63 bytes")
def identifier_too_long(stmt, state):
    """PostgreSQL silently truncates identifiers to 63 bytes: two long names that share a prefix
    become the same name, and code that uses the full name does not find the object."""
    raw = stmt.source.data[stmt.start:stmt.end]
    if b'"' not in raw and max(map(len, raw.split()), default=0) <= MAX_IDENTIFIER_BYTES:
        return  # no quoted name and no run of 64 non-blank bytes: no identifier can be that long
    # The parser has already cut long names to 63 bytes, so PostgreSQL's scanner finds the spelling.
    text = stmt.text
    seen = set()
    for tok in pg.scan(text):
        if tok.name != "IDENT":
            continue
        raw = text[tok.start:tok.end + 1]
        name = raw[1:-1].replace('""', '"') if raw.startswith('"') else raw.lower()
        size = len(name.encode("utf-8"))
        if size > MAX_IDENTIFIER_BYTES and name not in seen:
            seen.add(name)
            yield f"{name} is {size} bytes; PostgreSQL silently cuts it to {name.encode()[:63].decode(errors='ignore')}"


@rule("require-table-schema", on=("CreateStmt", "AlterTableStmt", "IndexStmt", "DropStmt"), severity="Low",
      squawk="require-table-schema", default=False,
      summary="table DDL without an explicit schema (opt-in)",
      fix="qualify the table: schema.table")
def require_table_schema(stmt, state):
    """Without a schema the table is resolved through search_path, which differs between roles,
    tools and environments; the migration may then change a different table than intended."""
    node = stmt.node
    if stmt.kind == "DropStmt":
        if node.get("removeType") == "OBJECT_TABLE":
            for name in n.drop_object_names(node):
                if "." not in name:
                    yield f"table {name} is not schema-qualified"
        return
    rel = node.get("relation") or {}
    if rel and not rel.get("schemaname"):
        yield f"table {rel.get('relname', '')} is not schema-qualified"


@rule("ban-duplicate-column-assignments", on=("CreateStmt", "UpdateStmt", "InsertStmt", "AlterTableStmt.AddColumn"),
      severity="Medium", squawk="ban-duplicate-column-assignments",
      summary="the same column declared or assigned twice in one statement",
      fix="keep one declaration or assignment per column")
def ban_duplicate_column_assignments(stmt, state):
    """PostgreSQL rejects a column named twice in CREATE TABLE, INSERT or UPDATE, so the migration
    fails when it runs; usually a copy-paste slip that also hides which value was meant."""
    node = stmt.node
    if stmt.kind == "CreateStmt":
        names = [c.get("colname", "") for c in n.column_defs(node.get("tableElts"))]
    elif stmt.kind == "AlterTableStmt":
        names = [(n.cmd_def(c, "ColumnDef") or {}).get("colname", "") for c in n.alter_cmds(node)
                 if n.subtype(c) == "AddColumn"]
    else:
        names = [t["ResTarget"].get("name", "") for t in node.get("targetList" if stmt.kind == "UpdateStmt"
                                                                    else "cols", ()) if "ResTarget" in t]
    for name, count in Counter(names).items():
        if name and count > 1:
            yield f"column {name} appears {count} times"
