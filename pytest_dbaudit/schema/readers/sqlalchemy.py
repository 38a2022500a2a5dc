"""SQLAlchemy and SQLModel models, read with ``ast`` (never imported): one Schema for the repository.

Declarative classes (``__tablename__``; ``Column(...)``, ``mapped_column(...)``, bare ``Mapped[...]``
annotations), ``Table("name", metadata, Column(...), ...)`` objects and SQLModel ``table=True`` classes
(``Field(primary_key=, foreign_key=, index=, unique=, nullable=, sa_column=)``). Columns inherited
from mixins and abstract bases defined in the repository are followed; single-table inheritance adds
a subclass's columns to its parent's table. Nullability follows SQLAlchemy: ``nullable=`` if given,
else not null for primary keys, else the ``Optional[...]`` / ``X | None`` of a ``Mapped`` annotation
(nullable for a plain ``Column``). Names are SQLAlchemy's defaults on PostgreSQL: ``ix_<table>_<col>``
for ``index=True``, ``<table>_pkey``, ``<table>_<col>_key``, ``<table>_<col>_fkey``; a
``MetaData(naming_convention=...)`` is not applied (the names may differ, the structure does not).
Tests, migrations and virtualenvs are not models of the application and are skipped.
"""

from __future__ import annotations

import ast
import re

from ...sources.migrations.pyast import call_name, literal
from ...sources.walk import Repository
from ..model import Column, ForeignKey, Index, Schema, Table
from .common import add_unique, finish, location, problem, resolve_fk, source_label

_SNIFF = re.compile(r"^\s*(?:from|import)\s+(sqlalchemy|sqlmodel|flask_sqlalchemy)\b", re.M)
_SKIP = re.compile(r"(^|/)(tests?|migrations|alembic|versions)/|(^|/)(test_[^/]*|[^/]*_test|conftest)\.py$")

# SQLAlchemy type -> the readers' spelling (PostgreSQL's, where SQLAlchemy's DDL is engine-specific)
_TYPES = {
    "Integer": "integer", "INTEGER": "integer", "INT": "integer", "BigInteger": "bigint", "BIGINT": "bigint",
    "SmallInteger": "smallint", "SMALLINT": "smallint", "Text": "text", "TEXT": "text", "UnicodeText": "text",
    "Float": "double precision", "FLOAT": "double precision", "Double": "double precision",
    "DOUBLE_PRECISION": "double precision", "REAL": "real", "Boolean": "boolean", "BOOLEAN": "boolean",
    "JSON": "json", "JSONB": "jsonb", "UUID": "uuid", "Uuid": "uuid", "Date": "date", "DATE": "date",
    "Time": "time without time zone", "Interval": "interval", "LargeBinary": "bytea", "BYTEA": "bytea",
    "Enum": "enum", "INET": "inet", "CITEXT": "citext", "TIMESTAMP": "timestamp without time zone",
    "AutoString": "varchar", "TSVECTOR": "tsvector",
}
_PY_TYPES = {"int": "integer", "str": "varchar", "float": "double precision", "bool": "boolean",
             "datetime": "timestamp without time zone", "date": "date", "time": "time without time zone",
             "Decimal": "numeric", "decimal.Decimal": "numeric", "UUID": "uuid", "uuid.UUID": "uuid",
             "dict": "json", "list": "json", "bytes": "bytea", "timedelta": "interval"}
_QUALIFIED = {"datetime", "date", "time", "timedelta", "Decimal", "UUID"}  # module.Type spellings


class _Model:
    def __init__(self, node: ast.ClassDef, rel: str):
        self.node, self.rel = node, rel
        self.bases = [b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases]
        body = {t.id: n.value for n in node.body if isinstance(n, ast.Assign) for t in n.targets
                if isinstance(t, ast.Name)}
        self.body = body
        tn = body.get("__tablename__")
        self.tablename = literal(tn) if tn is not None else None
        self.dynamic_tablename = tn is not None and not isinstance(self.tablename, str)
        self.sqlmodel_table = any(k.arg == "table" and literal(k.value) is True for k in node.keywords)
        self.abstract = literal(body.get("__abstract__")) is True


def model_files(repo: Repository) -> list[tuple[str, str]]:
    """(path, text) of the Python files that declare SQLAlchemy/SQLModel tables."""
    out = []
    for rel in repo.files:
        if not rel.endswith(".py") or _SKIP.search(rel):
            continue
        text = repo.text(rel)
        if not text or not _SNIFF.search(text):
            continue
        if "__tablename__" not in text and "Table(" not in text and "table=True" not in text:
            continue
        out.append((rel, text))
    return out


def read(repo: Repository) -> list[Schema]:
    trees = model_files(repo)
    files = [rel for rel, _ in trees]
    if not files:
        return []
    sqlmodel = any("sqlmodel" in t for _, t in trees)
    schema = Schema(source_label("sqlmodel" if sqlmodel and not any("__tablename__" in t for _, t in trees)
                                 else "sqlalchemy", files))
    classes: dict[str, _Model] = {}
    tables_calls: list[tuple[str, ast.Call]] = []
    for rel, text in trees:
        try:
            tree = ast.parse(text, filename=rel)
        except SyntaxError as exc:
            problem(schema, location(rel, exc.lineno or 0), f"syntax error: {exc.msg}")
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, _Model(node, rel))
            elif isinstance(node, ast.Call) and call_name(node) == "Table" and node.args \
                    and isinstance(literal(node.args[0]), str):
                tables_calls.append((rel, node))
    reader = _Reader(schema, classes)
    for rel, call in tables_calls:
        reader.table_call(rel, call)
    for m in classes.values():
        if m.dynamic_tablename:
            problem(schema, location(m.rel, m.node.lineno), f"class {m.node.name}: __tablename__ is not a literal")
        elif (m.tablename or m.sqlmodel_table) and not m.abstract:
            reader.model(m)
    for m in classes.values():  # single-table inheritance: a mapped parent, no table of its own
        if not m.tablename and not m.sqlmodel_table and not m.abstract and "SQLModel" not in m.bases:
            parent = reader.mapped_parent(m)
            if parent is not None and parent.qualname not in reader.sqlmodel_tables:  # SQLModel: data classes
                reader.columns_into(parent, m)
    for t in schema.tables.values():
        for fk in t.foreign_keys:
            fk.ref_table = reader.ref_table(fk.ref_table)
            resolve_fk(schema, fk)
    for t in schema.tables.values():
        _types_from_references(schema, t)
    return [finish(schema)]


def _types_from_references(schema: Schema, t: Table) -> None:
    pending = t.extra.pop("type_from_fk", set())
    for fk in t.foreign_keys:
        if len(fk.columns) != 1 or fk.columns[0] not in pending or len(fk.ref_columns) != 1:
            continue
        ref = schema.find(fk.ref_table)
        target = ref.columns.get(fk.ref_columns[0]) if ref else None
        if target is not None and target.type:
            t.columns[fk.columns[0]].type = target.type


class _Reader:
    def __init__(self, schema: Schema, classes: dict[str, _Model]):
        self.schema, self.classes = schema, classes
        self.tables_of: dict[str, Table] = {}  # class name -> its table
        self.sqlmodel_tables: set[str] = set()

    def ref_table(self, name: str) -> str:
        t = self.schema.find(name)
        return t.qualname if t is not None else name

    # -- Table("name", metadata, Column(...), Index(...)) ---------------------------------------
    def table_call(self, rel: str, call: ast.Call) -> None:
        t = Table(literal(call.args[0]), location=location(rel, call.lineno))
        for k in call.keywords:
            if k.arg == "schema" and isinstance(literal(k.value), str):
                t.schema = literal(k.value)
        self.schema.add(t)
        for a in call.args[1:]:
            if isinstance(a, ast.Call) and call_name(a) == "Column":
                self.column(t, a, None, None)
            elif isinstance(a, ast.Call):
                self.table_arg(t, a)
        self.autoincrement(t)

    # -- declarative classes ----------------------------------------------------------------------
    def model(self, m: _Model) -> None:
        name = m.tablename if isinstance(m.tablename, str) else m.node.name.lower()
        t = Table(name, location=location(m.rel, m.node.lineno))
        self.schema.add(t)
        self.tables_of[m.node.name] = t
        if m.sqlmodel_table:
            self.sqlmodel_tables.add(t.qualname)
        self.columns_into(t, m)
        self.autoincrement(t)

    def mapped_parent(self, m: _Model, depth: int = 0) -> Table | None:
        for b in m.bases:
            if b in self.tables_of:
                return self.tables_of[b]
            if b in self.classes and depth < 10:
                found = self.mapped_parent(self.classes[b], depth + 1)
                if found is not None:
                    return found
        return None

    def columns_into(self, t: Table, m: _Model, depth: int = 0, seen: set | None = None) -> None:
        seen = seen or set()
        for b in m.bases:  # mixins / abstract bases first, as SQLAlchemy orders inherited columns
            parent = self.classes.get(b)
            if parent is not None and b not in seen and depth < 10 and b not in self.tables_of \
                    and not (parent.tablename and not parent.abstract):
                self.columns_into(t, parent, depth + 1, seen | {b})
        sqlmodel = m.sqlmodel_table or any(b == "SQLModel" for b in m.bases)
        table_args = None
        for n in m.node.body:
            if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
                attr, value, ann = n.targets[0].id, n.value, None
            elif isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name):
                attr, value, ann = n.target.id, n.value, n.annotation
            else:
                continue
            if attr.startswith("__"):
                if attr == "__table_args__":
                    table_args = value  # after the columns: a PrimaryKeyConstraint makes them NOT NULL
                continue
            if isinstance(value, ast.Call):
                kind = call_name(value)
                if kind in ("Column", "mapped_column"):
                    self.column(t, value, attr, ann)
                    continue
                if kind == "Field" and sqlmodel:
                    self.field(t, value, attr, ann)
                    continue
                if kind in ("relationship", "Relationship", "column_property", "synonym", "association_proxy",
                            "hybrid_property", "deferred", "composite", "query_expression"):
                    continue
            if ann is not None and (value is None or (sqlmodel and not isinstance(value, ast.Call))):
                inner, optional = _unwrap(ann)
                if inner is None or (not sqlmodel and not _is_mapped(ann)):
                    continue
                ctype = _py_type(inner)
                if ctype is None:
                    continue  # a relationship annotation or a type we cannot tell
                if sqlmodel:
                    self.field(t, None, attr, ann)
                else:
                    t.columns[attr] = Column(attr, ctype, nullable=optional)
        if table_args is not None:
            self.table_args(t, table_args)

    # -- one column --------------------------------------------------------------------------------
    def column(self, t: Table, call: ast.Call, attr: str | None, ann: ast.AST | None) -> None:
        kw = {k.arg: k.value for k in call.keywords if k.arg}
        args = list(call.args)
        name = attr
        if args and isinstance(literal(args[0]), str):
            name = literal(args.pop(0))
        if "name" in kw and isinstance(literal(kw["name"]), str):
            name = literal(kw["name"])
        if name is None:
            return
        ctype, fks = None, []
        for a in args:
            if isinstance(a, ast.Call) and call_name(a) == "ForeignKey":
                fks.append(a)
            elif ctype is None:
                ctype = _sa_type(a)
        if "type_" in kw:
            ctype = _sa_type(kw["type_"])
        inner, optional = _unwrap(ann) if ann is not None else (None, None)
        if ctype is None and fks:
            # no explicit type: SQLAlchemy copies the referenced column's type (Mapped[int] or not)
            t.extra.setdefault("type_from_fk", set()).add(name)
        if ctype is None and inner is not None:
            ctype = _py_type(inner)
        pk = literal(kw.get("primary_key")) is True
        nullable = literal(kw.get("nullable")) if "nullable" in kw else None
        if nullable is None:
            if pk:
                nullable = False
            elif call_name(call) == "mapped_column" and optional is not None:
                nullable = optional
            else:
                nullable = True if call_name(call) == "Column" or optional is None else optional
        col = Column(name, ctype or (fks and "integer") or "", nullable=bool(nullable),
                     default=_server_default(kw.get("server_default")))
        if literal(kw.get("autoincrement")) is True:
            col.identity = True
        if literal(kw.get("autoincrement")) is False:
            t.extra.setdefault("no_autoincrement", set()).add(name)
        if isinstance(literal(kw.get("comment")), str):
            col.comment = literal(kw["comment"])
        t.columns[name] = col
        if pk:
            t.primary_key = (*t.primary_key, name)
        for fk in fks:
            self.fk(t, (name,), fk)
        self.flags(t, name, kw)

    def field(self, t: Table, call: ast.Call | None, attr: str, ann: ast.AST | None) -> None:
        """A SQLModel ``Field``: nullable when Optional (and not the primary key), str -> AutoString."""
        kw = {k.arg: k.value for k in call.keywords if k.arg} if call is not None else {}
        if "sa_column" in kw and isinstance(kw["sa_column"], ast.Call):
            self.column(t, kw["sa_column"], attr, ann)
            return
        inner, optional = _unwrap(ann) if ann is not None else (None, False)
        ctype = _py_type(inner) if inner is not None else None
        if "sa_type" in kw:
            ctype = _sa_type(kw["sa_type"]) or ctype
        if ctype is None:
            return
        if ctype == "varchar" and isinstance(literal(kw.get("max_length")), int):
            ctype = f"varchar({literal(kw['max_length'])})"
        pk = literal(kw.get("primary_key")) is True
        nullable = literal(kw["nullable"]) if "nullable" in kw else (bool(optional) and not pk)
        t.columns[attr] = Column(attr, ctype, nullable=bool(nullable),
                                 default=_server_default(kw.get("sa_column_kwargs")))
        if pk:
            t.primary_key = (*t.primary_key, attr)
        fk = literal(kw.get("foreign_key"))
        if isinstance(fk, str) and "." in fk:
            table, _, col = fk.rpartition(".")
            on_delete = str(literal(kw.get("ondelete")) or "NO ACTION").upper()
            t.foreign_keys.append(ForeignKey(f"{t.name}_{attr}_fkey", (attr,), table, (col,), on_delete=on_delete))
        self.flags(t, attr, kw)

    def flags(self, t: Table, name: str, kw: dict) -> None:
        unique, index = literal(kw.get("unique")) is True, literal(kw.get("index")) is True
        if index:
            t.indexes.append(Index(f"ix_{t.name}_{name}", (name,), unique=unique))
            if unique:
                t.uniques.append((name,))
        elif unique:
            add_unique(t, (name,), f"{t.name}_{name}_key")

    def fk(self, t: Table, cols: tuple[str, ...], call: ast.Call, refs_arg: ast.AST | None = None) -> None:
        kw = {k.arg: k.value for k in call.keywords if k.arg}
        target = literal(call.args[0]) if call.args else None
        if not isinstance(target, str):  # ForeignKey(User.id): Class.attribute
            a = call.args[0] if call.args else None
            if isinstance(a, ast.Attribute) and isinstance(a.value, ast.Name):
                t_ = self.tables_of.get(a.value.id)
                target = f"{t_.name if t_ else a.value.id.lower()}.{a.attr}"
            else:
                problem(self.schema, location(t.location.split(":")[0], call.lineno),
                        f"{t.name}: foreign key target is not a literal")
                return
        table, _, col = target.rpartition(".")
        name = literal(kw.get("name")) or f"{t.name}_{'_'.join(cols)}_fkey"
        t.foreign_keys.append(ForeignKey(name, cols, table, (col,) if col else (),
                                         on_delete=str(literal(kw.get("ondelete")) or "NO ACTION").upper()))

    def table_args(self, t: Table, value: ast.AST | None) -> None:
        items = value.elts if isinstance(value, (ast.Tuple, ast.List)) else [value]
        for item in items:
            if isinstance(item, ast.Call):
                self.table_arg(t, item)
            elif isinstance(item, ast.Dict):
                for k, v in zip(item.keys, item.values):
                    if literal(k) == "schema" and isinstance(literal(v), str):
                        old = t.qualname
                        t.schema = literal(v)
                        self.schema.tables[t.qualname] = self.schema.tables.pop(old)

    def table_arg(self, t: Table, call: ast.Call) -> None:
        kind = call_name(call)
        kw = {k.arg: k.value for k in call.keywords if k.arg}
        strs = [literal(a) for a in call.args]
        if kind == "Index":
            name = strs[0] if strs and isinstance(strs[0], str) else f"ix_{t.name}"
            cols = tuple(_colname(a) for a in call.args[1:])
            where = kw.get("postgresql_where")
            t.indexes.append(Index(name, cols, unique=literal(kw.get("unique")) is True,
                                   predicate=ast.unparse(where) if where is not None else "",
                                   method=str(literal(kw.get("postgresql_using")) or "btree")))
        elif kind == "UniqueConstraint":
            cols = tuple(_colname(a) for a in call.args)
            add_unique(t, cols, literal(kw.get("name")) or f"{t.name}_{'_'.join(cols)}_key")
        elif kind == "PrimaryKeyConstraint":
            t.primary_key = tuple(_colname(a) for a in call.args)
            for c in t.primary_key:  # the database makes primary-key columns NOT NULL whatever was declared
                if c in t.columns:
                    t.columns[c].nullable = False
            if isinstance(literal(kw.get("name")), str):
                t.indexes.insert(0, Index(literal(kw["name"]), t.primary_key, unique=True, primary=True))
        elif kind == "ForeignKeyConstraint" and len(call.args) >= 2:
            cols = tuple(c for c in (literal(call.args[0]) or ()) if isinstance(c, str))
            refs = [r for r in (literal(call.args[1]) or ()) if isinstance(r, str)]
            if refs:
                table = refs[0].rpartition(".")[0]
                name = literal(kw.get("name")) or f"{t.name}_{'_'.join(cols)}_fkey"
                t.foreign_keys.append(ForeignKey(name, cols, table, tuple(r.rpartition(".")[2] for r in refs),
                                                 on_delete=str(literal(kw.get("ondelete")) or "NO ACTION").upper()))
        elif kind == "CheckConstraint" and call.args:
            t.checks.append(str(literal(call.args[0]) or ast.unparse(call.args[0])))

    def autoincrement(self, t: Table) -> None:
        """A single-column integer primary key without a foreign key is SERIAL/IDENTITY (autoincrement="auto")."""
        if len(t.primary_key) != 1:
            return
        c = t.columns.get(t.primary_key[0])
        if c is None or c.type not in ("integer", "bigint", "smallint"):
            return
        if any(c.name in fk.columns for fk in t.foreign_keys) or c.name in t.extra.get("no_autoincrement", ()):
            return
        c.identity = True


def _colname(node: ast.AST) -> str:
    v = literal(node)
    if isinstance(v, str):
        return v
    if isinstance(node, ast.Attribute):
        return node.attr
    return ast.unparse(node)


def _is_mapped(ann: ast.AST) -> bool:
    return isinstance(ann, ast.Subscript) and (getattr(ann.value, "id", None) or getattr(ann.value, "attr", "")) \
        == "Mapped"


def _unwrap(ann: ast.AST | None) -> tuple[ast.AST | None, bool]:
    """The type inside ``Mapped[...]`` / ``Optional[...]`` / ``X | None``, and whether None is allowed."""
    if ann is None:
        return None, False
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        try:
            ann = ast.parse(ann.value, mode="eval").body
        except SyntaxError:
            return None, False
    if _is_mapped(ann):
        ann = ann.slice
    optional = False
    while True:
        if isinstance(ann, ast.Subscript) and (getattr(ann.value, "id", None) or getattr(ann.value, "attr", "")) \
                == "Optional":
            ann, optional = ann.slice, True
        elif isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
            parts = [ann.left, ann.right]
            nones = [p for p in parts if isinstance(p, ast.Constant) and p.value is None]
            if not nones:
                return ann, optional
            optional = True
            ann = next(p for p in parts if p not in nones)
        elif isinstance(ann, ast.Subscript) and (getattr(ann.value, "id", None) or "") == "Union":
            elts = getattr(ann.slice, "elts", [])
            rest = [e for e in elts if not (isinstance(e, ast.Constant) and e.value is None)]
            optional = optional or len(rest) < len(elts)
            if len(rest) != 1:
                return ann, optional
            ann = rest[0]
        else:
            return ann, optional


def _py_type(node: ast.AST | None) -> str | None:
    if node is None:
        return None
    name = ast.unparse(node)
    if name in _PY_TYPES:
        return _PY_TYPES[name]
    if isinstance(node, ast.Attribute) and node.attr in _QUALIFIED:  # dt.datetime, decimal.Decimal, uuid.UUID
        return _PY_TYPES[node.attr]
    if isinstance(node, ast.Subscript) and getattr(node.value, "id", "") in ("dict", "list", "Dict", "List") \
            and not isinstance(node.slice, (ast.Constant, ast.Name)) or name.startswith(("dict[", "Dict[")):
        return "json"
    return None


def _sa_type(node: ast.AST | None) -> str | None:
    """``String(50)`` -> varchar(50), ``DateTime(timezone=True)`` -> timestamp with time zone..."""
    if node is None:
        return None
    call = node if isinstance(node, ast.Call) else None
    ref = call.func if call else node
    name = ref.attr if isinstance(ref, ast.Attribute) else getattr(ref, "id", "")
    args = [literal(a) for a in call.args] if call else []
    kw = {k.arg: literal(k.value) for k in call.keywords if k.arg} if call else {}
    if name in ("String", "VARCHAR", "Unicode", "NVARCHAR", "CHAR", "NCHAR"):
        length = args[0] if args and isinstance(args[0], int) else kw.get("length")
        base = "char" if name in ("CHAR", "NCHAR") else "varchar"
        return f"{base}({length})" if isinstance(length, int) else base
    if name in ("DateTime", "DATETIME", "TIMESTAMP"):
        tz = kw.get("timezone") is True or (args and args[0] is True)
        return "timestamp with time zone" if tz else "timestamp without time zone"
    if name in ("Numeric", "NUMERIC", "DECIMAL"):
        p = args[0] if args and isinstance(args[0], int) else kw.get("precision")
        s = args[1] if len(args) > 1 and isinstance(args[1], int) else kw.get("scale")
        return f"numeric({p},{s})" if isinstance(p, int) and isinstance(s, int) else \
            f"numeric({p})" if isinstance(p, int) else "numeric"
    if name == "ARRAY" and call and call.args:
        inner = _sa_type(call.args[0])
        return f"{inner}[]" if inner else None
    if name in _TYPES:
        return _TYPES[name]
    return name.lower() or None


def _server_default(node: ast.AST | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, ast.Dict):  # SQLModel sa_column_kwargs={"server_default": ...}
        for k, v in zip(node.keys, node.values):
            if literal(k) == "server_default":
                return _server_default(v)
        return None
    if isinstance(node, ast.Call):
        n = call_name(node)
        if n == "text" and node.args:
            return str(literal(node.args[0]))
        if n == "now":
            return "now()"
        if n == "true":
            return "true"
        if n == "false":
            return "false"
        return ast.unparse(node)
    v = literal(node)
    return f"'{v}'" if isinstance(v, str) else ast.unparse(node)
