"""Small readers over libpg_query's JSON parse tree.

Each node is ``{"NodeType": {fields}}``; fields equal to their default (false, 0, empty) are
omitted, so every read goes through ``.get``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def walk(node: Any) -> Iterator[tuple[str, dict]]:
    """Every (node type, fields) pair below ``node``, depth first."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            for key, value in n.items():
                if isinstance(value, dict):
                    if key[:1].isupper():
                        yield key, value
                    stack.append(value)
                elif isinstance(value, list):
                    stack.extend(value)
        elif isinstance(n, list):
            stack.extend(n)


def strings(items: list | None) -> list[str]:
    """A list of String nodes (qualified names) as plain strings."""
    return [i["String"]["sval"] for i in items or () if "String" in i]


def relation(rv: dict | None) -> str:
    """A RangeVar as ``schema.name`` or ``name``."""
    if not rv:
        return ""
    name = rv.get("relname", "")
    return f"{rv['schemaname']}.{name}" if rv.get("schemaname") else name


def bare(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def drop_object_names(stmt: dict) -> list[str]:
    """Names in a DropStmt's object list (``schema.name``), whatever form each object takes."""
    out = []
    for obj in stmt.get("objects", ()):
        if "List" in obj:
            out.append(".".join(strings(obj["List"].get("items"))))
        elif "String" in obj:
            out.append(obj["String"]["sval"])
        elif "TypeName" in obj:
            out.append(".".join(strings(obj["TypeName"].get("names"))))
        elif "ObjectWithArgs" in obj:
            out.append(".".join(strings(obj["ObjectWithArgs"].get("objname"))))
    return out


def object_name(node: dict) -> str:
    """The object a RenameStmt, AlterObjectSchemaStmt or CommentStmt is about, as ``schema.name``."""
    if node.get("relation"):
        return relation(node["relation"])
    obj = node.get("object")
    if isinstance(obj, dict):
        return ".".join(drop_object_names({"objects": [obj]}))
    return node.get("subname", "")


# Type names as the parser spells them; `int` and `integer` come back as pg_catalog.int4, and
# `character varying` as pg_catalog.varchar.
INT4 = {"int4", "int", "integer", "serial", "serial4"}
INT2 = {"int2", "smallint", "smallserial", "serial2"}
SERIAL = {"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"}


def type_name(tn: dict | None) -> str:
    """The unqualified type name of a TypeName, lower case ("int4", "varchar", "timestamp")."""
    names = strings((tn or {}).get("names"))
    return names[-1].lower() if names else ""


def type_mods(tn: dict) -> list[int]:
    out = []
    for m in tn.get("typmods", ()):
        c = m.get("A_Const", {})
        if "ival" in c:
            out.append(c["ival"].get("ival", 0))
    return out


def type_label(tn: dict) -> str:
    """A type as the user would write it, for messages."""
    label = {"int4": "integer", "int2": "smallint", "int8": "bigint", "bpchar": "char", "varchar": "varchar",
             "timestamptz": "timestamptz"}.get(type_name(tn), type_name(tn))
    mods = type_mods(tn)
    return f"{label}({', '.join(map(str, mods))})" if mods else label


def constraints(coldef: dict) -> list[dict]:
    return [c["Constraint"] for c in coldef.get("constraints", ()) if "Constraint" in c]


def contype(c: dict) -> str:
    return c.get("contype", "")[len("CONSTR_"):]


def column_defs(elts: list | None) -> Iterator[dict]:
    for e in elts or ():
        if "ColumnDef" in e:
            yield e["ColumnDef"]


def alter_cmds(stmt: dict) -> Iterator[dict]:
    for c in stmt.get("cmds", ()):
        if "AlterTableCmd" in c:
            yield c["AlterTableCmd"]


def subtype(cmd: dict) -> str:
    return cmd.get("subtype", "")[len("AT_"):]


def cmd_def(cmd: dict, kind: str) -> dict | None:
    d = cmd.get("def")
    return d.get(kind) if isinstance(d, dict) else None


def defelem_names(options: list | None) -> set[str]:
    return {o["DefElem"]["defname"].lower() for o in options or () if "DefElem" in o}


def func_name(fc: dict) -> str:
    names = strings(fc.get("funcname"))
    return names[-1].lower() if names else ""


def column_names(expr: Any) -> set[str]:
    """Column names referenced in an expression."""
    out = set()
    for kind, n in walk(expr):
        if kind == "ColumnRef":
            fields = strings(n.get("fields"))
            if fields:
                out.add(fields[-1])
    return out
