"""SQLAlchemy/SQLModel models by importing them: the opt-in alternative to reading their code.

``schema: {import_models: true}`` imports the modules the static reader found models in (or the
modules listed instead of ``true``) and reads the ``MetaData`` they build: every type, default,
naming convention, mixin and ``ForeignKey``-inferred type exactly as SQLAlchemy resolves them, which
reading the code can only approximate. Importing runs the project's code, so it happens in a child
process (``python -m pytest_dbaudit.schema.readers.sqlalchemy_import``) with the repository on the
import path and a time limit; the parent builds the ``Schema`` from the JSON the child prints.
A module that fails to import is a problem on the Schema (``complete=False``), never a crash.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from ...child import ChildFailed, project_env, run_child
from ..model import Column, ForeignKey, Index, Schema, Table
from .ddl import object_name
from .common import add_unique, finish

MARKER = "@@DBAUDIT-MODELS@@"


# -- parent ------------------------------------------------------------------------------------------

def module_names(files: list[str]) -> list[str]:
    """Importable names of model files: ``shop/models.py`` -> ``shop.models``; a ``src/`` layout drops ``src``."""
    out = []
    for rel in files:
        parts = rel[:-3].split("/")
        if parts[-1] == "__init__":
            parts.pop()
        if parts and parts[0] == "src" and len(parts) > 1:
            parts.pop(0)
        if parts and all(p.isidentifier() for p in parts):
            out.append(".".join(parts))
    return sorted(set(out))


def import_models(repo, cfg) -> Schema | None:
    """``schema.import_models`` for the repository: the modules it names, or those the static reader found
    models in; None when there are none."""
    from . import repo_dialect
    from .sqlalchemy import model_files

    wanted = cfg.schema["import_models"]
    modules = wanted if isinstance(wanted, list) else module_names([rel for rel, _ in model_files(repo)])
    if not modules:
        return None
    return imported_schema(repo.root, modules, cfg.schema["import_timeout_s"], cfg.alembic.get("env") or {},
                           dialect=repo_dialect(repo))


def imported_schema(root: Path, modules: list[str], timeout_s: float, env: dict[str, str] | None = None, *,
                    dialect: str = "") -> Schema:
    """``dialect`` (the repository's engine, "" if unknown) decides how types are spelled (PostgreSQL's if unknown)."""
    schema = Schema(f"sqlalchemy (imported) {', '.join(modules[:3])}{' ...' if len(modules) > 3 else ''}",
                    dialect=dialect)
    paths = [str(root)] + ([str(root / "src")] if (root / "src").is_dir() else [])
    try:
        data = run_child(__name__, MARKER, {"modules": modules, "dialect": dialect}, cwd=root,
                         env=project_env(paths, env), timeout=timeout_s)
    except ChildFailed as exc:
        if exc.timed_out:
            return _failed(schema, f"importing the models took longer than {timeout_s:g} s (schema.import_timeout_s)")
        last = exc.output.splitlines()[-1:] or [""]
        return _failed(schema, f"the import exited with code {exc.code}: {last[0][:300]}")
    for error in data["errors"]:
        _failed(schema, error)
    for raw in data["tables"]:
        schema.add(_table(raw))
    if not data["tables"] and not data["errors"]:  # nothing judged must not read as nothing wrong
        _failed(schema, f"no MetaData with tables after importing {', '.join(modules)}")
    return finish(schema)


def _failed(schema: Schema, why: str) -> Schema:
    schema.problems.append(why)
    schema.complete = False
    return schema


def _table(raw: dict[str, Any]) -> Table:
    t = Table(raw["name"], schema=raw.get("schema") or "", comment=raw.get("comment") or "",
              location=raw.get("module", ""))
    for c in raw["columns"]:
        t.columns[c["name"]] = Column(c["name"], c["type"], nullable=c["nullable"], default=c["default"],
                                      identity=c["identity"], comment=c.get("comment") or "")
    t.primary_key = tuple(raw["primary_key"])
    if t.primary_key and raw.get("pk_name"):  # a naming convention's name; finish() adds the default one
        t.indexes.append(Index(raw["pk_name"], t.primary_key, unique=True, primary=True))
    t.foreign_keys = [ForeignKey(f["name"] or object_name(t.name, f["columns"], "fkey"), tuple(f["columns"]),
                                 f["ref_table"], tuple(f["ref_columns"]),
                                 on_delete=(f["on_delete"] or "NO ACTION").upper()) for f in raw["foreign_keys"]]
    for u in raw["uniques"]:  # a unique constraint is backed by a unique index, as the other readers say
        add_unique(t, tuple(u["columns"]), u["name"] or object_name(t.name, u["columns"], "key"))
    t.indexes += [Index(i["name"] or object_name(t.name, i["columns"], "idx"), tuple(i["columns"]),
                        unique=i["unique"], predicate=i["predicate"], method=i["method"]) for i in raw["indexes"]]
    t.checks = list(raw["checks"])
    return t


# -- child -------------------------------------------------------------------------------------------

def _type(col: Any, dialect: Any) -> str:
    try:
        text = col.type.compile(dialect=dialect)
    except Exception:  # a custom or dialect-specific type PostgreSQL cannot render
        text = type(col.type).__name__
    return text.lower().replace(", ", ",")


def _default(col: Any) -> str | None:
    sd = col.server_default
    if sd is None:
        return None
    arg = getattr(sd, "arg", None)
    return str(getattr(arg, "text", arg)) if arg is not None else "(server default)"


def _name(obj: Any, dialect: Any) -> str:
    """The name the database will get: naming conventions applied, cut to the dialect's length as
    SQLAlchemy's DDL does; "" when the database chooses it."""
    if not isinstance(obj.name, str):
        return ""
    try:
        quoted = dialect.identifier_preparer.format_constraint(obj)
    except Exception:  # an odd name: keep it as written
        return str(obj.name)
    if not quoted:
        return ""
    return quoted[1:-1].replace('""', '"') if quoted[0] in '"`' and quoted[-1] == quoted[0] else quoted


def _expression(expr: Any, dialect: Any) -> str:
    """An index element: a column's name (ASC/DESC dropped, as reflection shows them), else its SQL."""
    import sqlalchemy as sa

    from sqlalchemy.sql import operators as op

    ordering = (op.desc_op, op.asc_op, op.nulls_first_op, op.nulls_last_op)
    while isinstance(expr, sa.sql.elements.UnaryExpression) and expr.modifier in ordering:
        expr = expr.element  # col.desc(), col.asc(), NULLS FIRST/LAST
    if isinstance(expr, sa.Column) or getattr(expr, "name", None) and isinstance(expr, sa.sql.elements.ColumnClause):
        return expr.name
    try:
        compiler = dialect.ddl_compiler(dialect, None)
        return compiler.sql_compiler.process(expr, include_table=False, literal_binds=True)
    except Exception:
        return str(expr)


def _dump(table: Any, module: str, dialect: Any) -> dict[str, Any]:
    import sqlalchemy as sa

    pk = [c.name for c in table.primary_key.columns]
    auto = table.autoincrement_column
    cols = [{"name": c.name, "type": _type(c, dialect), "nullable": bool(c.nullable), "default": _default(c),
             "identity": c is auto or c.identity is not None, "comment": c.comment or ""} for c in table.columns]
    fks, uniques, checks = [], [], []
    for con in table.constraints:
        if isinstance(con, sa.ForeignKeyConstraint):
            fks.append({"name": _name(con, dialect), "columns": [c.name for c in con.columns],
                        "ref_table": con.referred_table.fullname if con.elements else "",
                        "ref_columns": [e.column.name for e in con.elements], "on_delete": con.ondelete or ""})
        elif isinstance(con, sa.UniqueConstraint):
            uniques.append({"name": _name(con, dialect), "columns": [c.name for c in con.columns]})
        elif isinstance(con, sa.CheckConstraint):
            checks.append(str(con.sqltext))
    indexes = []
    options = dialect.name if dialect.name in ("postgresql", "sqlite") else None  # MySQL has no partial index
    for ix in table.indexes:
        where = ix.dialect_options[options].get("where") if options else None
        using = ix.dialect_options["postgresql"].get("using") if dialect.name == "postgresql" else None
        indexes.append({"name": _name(ix, dialect), "unique": bool(ix.unique),
                        "columns": [_expression(e, dialect) for e in ix.expressions],
                        "predicate": _expression(where, dialect) if where is not None else "",
                        "method": str(using or "btree").lower()})
    return {"name": table.name, "schema": table.schema or "", "module": module, "comment": table.comment or "",
            "columns": cols, "primary_key": pk, "pk_name": _name(table.primary_key, dialect), "foreign_keys": fks,
            "indexes": indexes, "uniques": uniques, "checks": checks}


def run(req: dict[str, Any]) -> dict[str, Any]:
    import importlib

    errors = []
    for name in req["modules"]:
        try:
            importlib.import_module(name)
        except BaseException as exc:  # noqa: BLE001 - the project's code may raise anything, SystemExit included
            first = str(exc).splitlines()[0][:300] if str(exc) else ""
            errors.append(f"{name}: import failed: {type(exc).__name__}: {first}")
    import sqlalchemy as sa
    from sqlalchemy.dialects import mysql, postgresql, sqlite

    dialect = {"mysql": mysql, "sqlite": sqlite}.get(req.get("dialect") or "", postgresql).dialect()
    seen: dict[int, tuple[Any, str]] = {}
    for mod_name, mod in list(sys.modules.items()):
        if mod is None or not any(mod_name == m or mod_name.startswith(m + ".") for m in req["modules"]):
            continue
        for value in list(vars(mod).values()):
            try:  # proxies (Flask's current_app, lazy settings) may raise on any attribute
                md = value if isinstance(value, sa.MetaData) else getattr(value, "metadata", None)
            except Exception:
                continue
            if isinstance(md, sa.MetaData) and id(md) not in seen:
                seen[id(md)] = (md, mod_name)
    tables: dict[str, dict[str, Any]] = {}
    for md, mod_name in seen.values():
        for table in md.sorted_tables:
            try:
                tables.setdefault(table.fullname, _dump(table, mod_name, dialect))
            except Exception as exc:  # noqa: BLE001 - one odd table is a problem, not the end
                errors.append(f"{table.fullname}: not read: {type(exc).__name__}: {str(exc)[:200]}")
    return {"tables": list(tables.values()), "errors": errors}


if __name__ == "__main__":
    result = run(json.loads(sys.stdin.read()))
    sys.stdout.write("\n" + MARKER + json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # threads the project started on import must not keep the child (and the audit) waiting
