"""Prisma models against Prisma migrations, without running Prisma: the tables and columns that
``schema.prisma`` declares, and the ones its ``migration.sql`` files build (replayed with
PostgreSQL's own parser). Relation fields are not columns; ``@map`` / ``@@map`` rename."""

from __future__ import annotations

import re

from ..walk import Repository

_BLOCK = re.compile(r"^\s*(model|enum|type|view)\s+(\w+)\s*\{(.*?)^\s*\}", re.M | re.S)
_FIELD = re.compile(r"^\s*(\w+)\s+(\w+)(\[\])?(\?)?(.*)$")
_MAP = re.compile(r"@map\(\s*(?:name:\s*)?\"([^\"]+)\"")
_TABLE_MAP = re.compile(r"@@map\(\s*(?:name:\s*)?\"([^\"]+)\"")
_SCALARS = {"String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes",
            "Unsupported"}


def schema_files(repo: Repository, migrations_root: str) -> list[str]:
    """The schema next to the migrations folder: ``prisma/schema.prisma`` or a ``prisma/schema/`` folder."""
    base = migrations_root.rsplit("/", 1)[0] if "/" in migrations_root else ""
    prefix = f"{base}/" if base else ""
    files = [f for f in repo.files if f.startswith(prefix) and f.endswith(".prisma") and "/migrations/" not in f]
    return sorted(files)


def declared_tables(texts: list[str]) -> dict[str, set[str]]:
    """Table -> columns of every model (views and composite types are not tables)."""
    blocks = [m for text in texts for m in _BLOCK.finditer(re.sub(r"//[^\n]*", "", text))]
    types = {m.group(2) for m in blocks if m.group(1) in ("enum",)}
    models = {m.group(2) for m in blocks if m.group(1) in ("model", "type", "view")}
    out: dict[str, set[str]] = {}
    for m in blocks:
        if m.group(1) != "model":
            continue
        table = (_TABLE_MAP.search(m.group(3)) or [None, m.group(2)])[1]
        columns = set()
        for line in m.group(3).splitlines():
            f = _FIELD.match(line)
            if not f or line.strip().startswith("@@"):
                continue
            name, kind, is_list = f.group(1), f.group(2), f.group(3)
            if kind in models or (is_list and kind not in _SCALARS and kind not in types):
                continue  # a relation field: the foreign key lives in its own scalar field
            mapped = _MAP.search(f.group(5))
            columns.add(mapped.group(1) if mapped else name)
        out[table] = columns
    return out


def migrated_tables(sqls: list[str]) -> tuple[dict[str, set[str]], list[str]]:
    """Table -> columns after replaying the migrations' CREATE/ALTER/RENAME/DROP TABLE statements, and
    the statements that could not be parsed (reported, never guessed)."""
    from pglast import parse_sql
    from pglast.enums import AlterTableType, ObjectType
    from pglast.parser import ParseError

    tables: dict[str, set[str]] = {}
    problems: list[str] = []
    for sql in sqls:
        try:
            statements = parse_sql(sql)
        except ParseError as exc:
            problems.append(str(exc).splitlines()[0])
            continue
        for raw in statements:
            st = raw.stmt
            kind = type(st).__name__
            if kind == "CreateStmt":
                tables[st.relation.relname] = {e.colname for e in st.tableElts or () if getattr(e, "colname", None)}
            elif kind == "AlterTableStmt" and st.relation.relname in tables:
                cols = tables[st.relation.relname]
                for cmd in st.cmds or ():
                    if cmd.subtype == AlterTableType.AT_AddColumn and cmd.def_ is not None:
                        cols.add(cmd.def_.colname)
                    elif cmd.subtype == AlterTableType.AT_DropColumn:
                        cols.discard(cmd.name)
            elif kind == "RenameStmt" and st.relation is not None and st.relation.relname in tables:
                if st.renameType == ObjectType.OBJECT_COLUMN:
                    cols = tables[st.relation.relname]
                    if st.subname in cols:
                        cols.discard(st.subname)
                        cols.add(st.newname)
                elif st.renameType == ObjectType.OBJECT_TABLE:
                    tables[st.newname] = tables.pop(st.relation.relname)
            elif kind == "DropStmt" and st.removeType == ObjectType.OBJECT_TABLE:
                for obj in st.objects or ():
                    tables.pop(obj[-1].sval, None)
    return tables, problems
