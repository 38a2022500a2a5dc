"""Django models, read with ``ast`` (never imported): one Schema per Django project.

A project is the folder holding ``manage.py`` (the repository root when there is none); its apps are
the folders with a ``models.py`` or a ``models/`` package. Tables are ``Meta.db_table`` or
``<app_label>_<model lower>`` (``AppConfig.label`` when ``apps.py`` sets one). What Django's schema
editor creates is applied: the implicit ``id`` (``DEFAULT_AUTO_FIELD``, else ``AutoField``) unless a
field is the primary key, ``<name>_id`` columns for ``ForeignKey``/``OneToOneField`` with the FK
constraint and an index on the column (``db_index=False`` opts out; unique columns have their
constraint instead), ``unique=True`` constraints, ``db_index=True`` indexes, ``Meta.indexes`` /
``unique_together`` / ``index_together`` / ``constraints``, the through table of a
``ManyToManyField`` (two FKs, both indexed, unique together), multi-table inheritance's
``<parent>_ptr_id`` key, fields inherited from abstract models. Index and constraint names are the
ones Django computes (``orders_order_user_id_3e2f8d4c``, ``..._fk_auth_user_id``). Types are those of
the project's database backend (``settings.DATABASES``; PostgreSQL's when it cannot be told).
Django emulates ``on_delete`` in Python: the database constraint itself is ``NO ACTION`` (deferred).
"""

from __future__ import annotations

import ast
import hashlib
import posixpath
import re

from ...sources.migrations.pyast import call_name, literal
from ...sources.walk import Repository
from ..model import Column, ForeignKey, Index, Schema, Table
from .common import finish, location, problem, source_label

_SNIFF = re.compile(r"from\s+django\.db\s+import\b[^\n]*\bmodels\b|\bdjango\.db\.models\b|import\s+django")
_ENGINES = {"postgresql": "postgresql", "postgresql_psycopg2": "postgresql", "postgis": "postgresql",
            "mysql": "mysql", "sqlite3": "sqlite", "spatialite": "sqlite", "oracle": "oracle"}

_PG = {
    "AutoField": "integer", "BigAutoField": "bigint", "SmallAutoField": "smallint", "BigIntegerField": "bigint",
    "BinaryField": "bytea", "BooleanField": "boolean", "NullBooleanField": "boolean", "CharField": "varchar",
    "DateField": "date", "DateTimeField": "timestamp with time zone", "DecimalField": "numeric",
    "DurationField": "interval", "FileField": "varchar", "ImageField": "varchar", "FilePathField": "varchar",
    "FloatField": "double precision", "IntegerField": "integer", "GenericIPAddressField": "inet",
    "IPAddressField": "inet", "JSONField": "jsonb", "PositiveBigIntegerField": "bigint",
    "PositiveIntegerField": "integer", "PositiveSmallIntegerField": "smallint", "SlugField": "varchar",
    "SmallIntegerField": "smallint", "TextField": "text", "TimeField": "time without time zone",
    "UUIDField": "uuid", "EmailField": "varchar", "URLField": "varchar", "ArrayField": "array",
    "CICharField": "citext", "CIEmailField": "citext", "CITextField": "citext", "HStoreField": "hstore",
}
_MYSQL = dict(_PG, **{
    "AutoField": "integer", "BinaryField": "longblob", "BooleanField": "bool", "NullBooleanField": "bool",
    "DateTimeField": "datetime(6)", "DecimalField": "numeric", "DurationField": "bigint",
    "GenericIPAddressField": "char(39)", "JSONField": "json", "TextField": "longtext", "TimeField": "time(6)",
    "UUIDField": "char(32)", "PositiveBigIntegerField": "bigint unsigned", "PositiveIntegerField": "integer unsigned",
    "PositiveSmallIntegerField": "smallint unsigned",
})
_SQLITE = dict(_PG, **{
    "AutoField": "integer", "BigAutoField": "integer", "SmallAutoField": "integer", "BinaryField": "blob",
    "BooleanField": "bool", "DateTimeField": "datetime", "DecimalField": "decimal", "DurationField": "bigint",
    "FloatField": "real", "GenericIPAddressField": "char(39)", "JSONField": "text", "TimeField": "time",
    "UUIDField": "char(32)",
})
_AUTO = {"AutoField", "BigAutoField", "SmallAutoField"}
_VARCHAR_DEFAULT = {"FileField": 100, "ImageField": 100, "FilePathField": 100, "SlugField": 50,
                    "EmailField": 254, "URLField": 200, "CharField": None}
_RELATIONS = {"ForeignKey", "OneToOneField", "ParentalKey"}
_KNOWN_APPS = {"AUTH_USER_MODEL": ("auth", "user"), "User": ("auth", "user"), "Group": ("auth", "group"),
               "Permission": ("auth", "permission"), "ContentType": ("contenttypes", "contenttype")}


def names_digest(*args: str, length: int) -> str:
    h = hashlib.md5(usedforsecurity=False)
    for a in args:
        h.update(a.encode())
    return h.hexdigest()[:length]


def index_name(table: str, columns: list[str] | tuple[str, ...], suffix: str = "", max_length: int = 63) -> str:
    """BaseDatabaseSchemaEditor._create_index_name: ``table_col_<hash8><suffix>``, shortened to fit."""
    hash_suffix = f"{names_digest(table, *columns, length=8)}{suffix}"
    name = f"{table}_{'_'.join(columns)}_{hash_suffix}"
    if len(name) <= max_length:
        return name
    if len(hash_suffix) > max_length / 3:
        hash_suffix = hash_suffix[:max_length // 3]
    other = (max_length - len(hash_suffix)) // 2 - 1
    name = f"{table[:other]}_{'_'.join(columns)[:other]}_{hash_suffix}"
    if name[0] == "_" or name[0].isdigit():
        name = f"D{name[:-1]}"
    return name


def meta_index_name(table: str, columns: list[str], orders: list[str], suffix: str = "idx") -> str:
    """models.Index.set_name_with_model: ``<table[:11]>_<col[:7]>_<hash6>_idx``."""
    data = [table] + [f"{o}{c}" for c, o in zip(columns, orders)] + [suffix]
    return f"{table[:11]}_{columns[0][:7]}_{names_digest(*data, length=6)}_{suffix}"


class _Model:
    def __init__(self, node: ast.ClassDef, rel: str, app: str):
        self.node, self.rel, self.app = node, rel, app
        self.name = node.name
        self.bases = [b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases]
        meta = next((n for n in node.body if isinstance(n, ast.ClassDef) and n.name == "Meta"), None)
        self.meta = {t.id: n.value for n in getattr(meta, "body", []) if isinstance(n, ast.Assign)
                     for t in n.targets if isinstance(t, ast.Name)}
        self.abstract = literal(self.meta.get("abstract")) is True
        self.proxy = literal(self.meta.get("proxy")) is True
        self.fields = [(t.id, n.value, n.lineno) for n in node.body if isinstance(n, ast.Assign)
                       and isinstance(n.value, ast.Call) for t in n.targets if isinstance(t, ast.Name)]
        self.fields += [(n.target.id, n.value, n.lineno) for n in node.body if isinstance(n, ast.AnnAssign)
                        and isinstance(n.target, ast.Name) and isinstance(n.value, ast.Call)]


def read(repo: Repository) -> list[Schema]:
    module_files: list[tuple[str, str]] = []  # (file, app folder)
    for rel in repo.files:
        parts = rel.split("/")
        if parts[-1] == "models.py" and len(parts) >= 2:
            module_files.append((rel, "/".join(parts[:-1])))
        elif len(parts) >= 3 and parts[-2] == "models" and rel.endswith(".py"):
            module_files.append((rel, "/".join(parts[:-2])))
    if not module_files:
        return []
    managers = [posixpath.dirname(f) for f in repo.by_name("manage.py")]
    projects: dict[str, list[tuple[str, str]]] = {}
    for rel, app in module_files:
        text = repo.text(rel)
        if not text or not _SNIFF.search(text) or "Model" not in text:
            continue
        project = max((m for m in managers if not m or rel.startswith(m + "/")), key=len, default="")
        projects.setdefault(project, []).append((rel, app))
    return [_project(repo, project, files) for project, files in sorted(projects.items())]


def _settings(repo: Repository, project: str) -> tuple[str, str]:
    """(dialect, DEFAULT_AUTO_FIELD) from the project's settings modules."""
    engines, auto = set(), ""
    prefix = f"{project}/" if project else ""
    for rel in repo.files:
        if not rel.startswith(prefix) or not rel.endswith(".py"):
            continue
        name = rel.rsplit("/", 1)[-1]
        if name != "settings.py" and "/settings/" not in rel:
            continue
        text = repo.text(rel) or ""
        engines |= {_ENGINES.get(e, e) for e in re.findall(r"django\.db\.backends\.(\w+)", text)}
        engines |= {_ENGINES.get(e, e) for e in re.findall(r"django\.contrib\.gis\.db\.backends\.(\w+)", text)}
        m = re.search(r"^DEFAULT_AUTO_FIELD\s*=\s*[\"']([\w.]+)[\"']", text, re.M)
        if m:
            auto = m.group(1).rsplit(".", 1)[-1]
    return (engines.pop() if len(engines) == 1 else ""), auto


def _app_config(repo: Repository, app: str) -> tuple[str, str]:
    """(label, default_auto_field) of the app's AppConfig, when apps.py sets them."""
    text = repo.text(f"{app}/apps.py") if f"{app}/apps.py" in repo.files else None
    if not text:
        return "", ""
    label = re.search(r"^\s+label\s*=\s*[\"'](\w+)[\"']", text, re.M)
    auto = re.search(r"^\s+default_auto_field\s*=\s*[\"']([\w.]+)[\"']", text, re.M)
    return (label.group(1) if label else ""), (auto.group(1).rsplit(".", 1)[-1] if auto else "")


def _project(repo: Repository, project: str, files: list[tuple[str, str]]) -> Schema:
    dialect, default_auto = _settings(repo, project)
    schema = Schema(f"django {project or '.'}" if project else source_label("django", [f for f, _ in files]),
                    dialect=dialect)
    types = _MYSQL if dialect == "mysql" else _SQLITE if dialect == "sqlite" else _PG
    models: dict[tuple[str, str], _Model] = {}  # (app label, class name)
    apps: dict[str, tuple[str, str]] = {}  # app folder -> (label, auto field)
    for rel, app in files:
        if app not in apps:
            label, auto = _app_config(repo, app)
            apps[app] = (label or app.rsplit("/", 1)[-1], auto)
        try:
            tree = ast.parse(repo.text(rel) or "", filename=rel)
        except SyntaxError as exc:
            problem(schema, location(rel, exc.lineno or 0), f"syntax error: {exc.msg}")
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                models.setdefault((apps[app][0], node.name), _Model(node, rel, apps[app][0]))
    builder = _Builder(schema, models, types, dialect, {label: auto or default_auto or "AutoField"
                                                         for label, auto in apps.values()})
    builder.build()
    return finish(schema)


class _Builder:
    def __init__(self, schema: Schema, models: dict, types: dict, dialect: str, auto: dict[str, str]):
        self.schema, self.models, self.types, self.dialect, self.auto = schema, models, types, dialect, auto
        self.tables: dict[tuple[str, str], Table] = {}
        self.pending_fks: list = []
        self.max_name = 64 if dialect == "mysql" else 30 if dialect == "oracle" else 63  # max_name_length()

    def is_model(self, m: _Model, depth: int = 0) -> bool:
        for b in m.bases:
            if b == "Model":
                return True
            parent = self.lookup(b, m.app)
            if parent is not None and depth < 10 and self.is_model(parent, depth + 1):
                return True
        return False

    def lookup(self, name: str, app: str) -> _Model | None:
        if "." in name:
            a, n = name.split(".", 1)
            return next((m for (label, cls), m in self.models.items() if label == a and cls.lower() == n.lower()),
                        None)
        return self.models.get((app, name)) or next((m for (_, cls), m in self.models.items() if cls == name), None)

    def table_name(self, m: _Model) -> str:
        t = literal(m.meta.get("db_table"))
        return t if isinstance(t, str) else f"{m.app}_{m.name.lower()}"

    def build(self) -> None:
        concrete = [m for m in self.models.values() if self.is_model(m) and not m.abstract and not m.proxy]
        for m in concrete:
            self.tables[(m.app, m.name)] = Table(self.table_name(m), location=location(m.rel, m.node.lineno))
            if literal(m.meta.get("managed")) is False:
                self.tables[(m.app, m.name)].extra["managed"] = False
        for m in concrete:
            self.fields(m)
        for m in concrete:  # primary keys are known now: FK column types and targets
            self.relations(m)
        for m in concrete:
            self.meta(m, self.tables[(m.app, m.name)])
        for t in self.tables.values():
            self.schema.add(t)
        self.schema.fk_indexed_by_framework = True

    # -- fields -------------------------------------------------------------------------------------
    def inherited(self, m: _Model, depth: int = 0) -> list[tuple[str, ast.Call, int, _Model]]:
        """Fields of abstract ancestors first, then the model's own (a redefinition replaces)."""
        out: dict[str, tuple] = {}
        for b in m.bases:
            parent = self.lookup(b, m.app)
            if parent is not None and parent.abstract and depth < 10:
                for f in self.inherited(parent, depth + 1):
                    out[f[0]] = f
        for name, call, line in m.fields:
            out[name] = (name, call, line, m)
        return list(out.values())

    def fields(self, m: _Model) -> None:
        t = self.tables[(m.app, m.name)]
        parent = next((p for b in m.bases if (p := self.lookup(b, m.app)) is not None
                       and (p.app, p.name) in self.tables), None)
        if parent is not None:  # multi-table inheritance: <parent>_ptr_id, the primary key and FK
            col = f"{parent.name.lower()}_ptr_id"
            t.columns[col] = Column(col, "", nullable=False)
            t.primary_key = (col,)
            self.pending_fks.append((t, col, parent, "", True, False))
        for name, call, line, owner in self.inherited(m):
            kind = call_name(call)
            kw = {k.arg: k.value for k in call.keywords if k.arg}
            column = literal(kw.get("db_column")) if isinstance(literal(kw.get("db_column")), str) else None
            if kind in _RELATIONS:
                target = call.args[0] if call.args else kw.get("to")
                col = column or f"{name}_id"
                nullable = literal(kw.get("null")) is True
                t.columns[col] = Column(col, "", nullable=nullable, comment=_comment(kw))
                unique = kind == "OneToOneField" or literal(kw.get("unique")) is True
                pk = literal(kw.get("primary_key")) is True
                if pk:
                    t.primary_key = (col,)
                    t.columns[col].nullable = False
                db_index = literal(kw.get("db_index")) is not False
                to_field = literal(kw.get("to_field")) if isinstance(literal(kw.get("to_field")), str) else ""
                self.pending_fks.append((t, col, self.target(target, owner, m), to_field,
                                         unique or pk, db_index and not unique and not pk))
                if literal(kw.get("db_constraint")) is False:
                    t.extra.setdefault("unenforced_foreign_keys", []).append(col)
            elif kind == "ManyToManyField":
                if "through" not in kw:
                    self.pending_fks.append(("m2m", name, m, self.target(call.args[0] if call.args else kw.get("to"),
                                                                         owner, m), kw, line))
            elif kind in self.types or kind.endswith("Field"):
                col = column or name
                ctype = self.field_type(kind, kw, call)
                pk = literal(kw.get("primary_key")) is True
                c = Column(col, ctype, nullable=literal(kw.get("null")) is True and not pk,
                           identity=kind in _AUTO, comment=_comment(kw))
                if "db_default" in kw:
                    c.default = _db_default(kw["db_default"])
                t.columns[col] = c
                if pk:
                    t.primary_key = (col,)
                if literal(kw.get("unique")) is True and not pk:
                    t.uniques.append((col,))
                    t.indexes.append(Index(self.unique_name(t.name, col), (col,), unique=True))
                elif (literal(kw.get("db_index")) is True or (kind == "SlugField" and literal(kw.get("db_index"))
                                                               is not False)) and not pk:
                    t.indexes.append(Index(index_name(t.name, [col], "", self.max_name), (col,)))
        if not t.primary_key:
            auto = self.auto.get(m.app, "AutoField")
            t.columns = {"id": Column("id", self.types.get(auto, "integer"), nullable=False, identity=True),
                         **t.columns}
            t.primary_key = ("id",)

    def unique_name(self, table: str, col: str) -> str:
        # created inline in CREATE TABLE: the database names it (PostgreSQL <table>_<col>_key, MySQL <col>)
        if self.dialect == "mysql":
            return col
        from .ddl import object_name
        return object_name(table, [col], "key")

    def field_type(self, kind: str, kw: dict, call: ast.Call) -> str:
        base = self.types.get(kind)
        if base is None:
            return kind.lower()
        if base == "varchar":
            n = literal(kw.get("max_length"))
            n = n if isinstance(n, int) else _VARCHAR_DEFAULT.get(kind)
            return f"varchar({n})" if n else "varchar"
        if base in ("numeric", "decimal"):
            p, s = literal(kw.get("max_digits")), literal(kw.get("decimal_places"))
            return f"{base}({p},{s})" if isinstance(p, int) and isinstance(s, int) else base
        if base == "array":
            inner = call.args[0] if call.args else kw.get("base_field")
            if isinstance(inner, ast.Call):
                ik = {k.arg: k.value for k in inner.keywords if k.arg}
                return self.field_type(call_name(inner), ik, inner) + "[]"
            return "array"
        return base

    def target(self, node: ast.AST | None, owner: _Model, m: _Model) -> tuple[str, str] | _Model | None:
        """The referenced model: a class here, ``'app.Model'``, ``'self'``, settings.AUTH_USER_MODEL."""
        if node is None:
            return None
        v = literal(node)
        if v == "self":
            return m
        if isinstance(v, str):
            found = self.lookup(v, owner.app)
            if found is not None:
                return found
            app, _, cls = v.rpartition(".")
            return (app or owner.app, cls.lower())
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
        if isinstance(node, ast.Call):  # get_user_model()
            name = "AUTH_USER_MODEL" if call_name(node) == "get_user_model" else call_name(node)
        found = self.lookup(name, owner.app)
        if found is not None:
            return found
        return _KNOWN_APPS.get(name, (owner.app, name.lower()))

    def relations(self, m: _Model) -> None:
        t = self.tables[(m.app, m.name)]
        for item in [p for p in self.pending_fks if p[0] is t or (p[0] == "m2m" and p[2] is m)]:
            if item[0] == "m2m":
                self.m2m(*item[1:])
                continue
            _, col, target, to_field, unique, indexed = item
            ref_table, ref_col, ref_type = self.referenced(target, to_field)
            t.columns[col].type = ref_type
            fk = ForeignKey(index_name(t.name, [col], f"_fk_{ref_table}_{ref_col}", self.max_name), (col,),
                            ref_table, (ref_col,), on_delete="NO ACTION")
            t.foreign_keys.append(fk)
            if unique and (col,) != t.primary_key:
                t.uniques.append((col,))
                t.indexes.append(Index(self.unique_name(t.name, col), (col,), unique=True))
            elif indexed:
                t.indexes.append(Index(index_name(t.name, [col], "", self.max_name), (col,)))

    def referenced(self, target, to_field: str = "") -> tuple[str, str, str]:
        """(table, column, column type) a foreign key points at."""
        if isinstance(target, _Model) and (target.app, target.name) in self.tables:
            tt = self.tables[(target.app, target.name)]
            col = to_field or (tt.primary_key[0] if tt.primary_key else "id")
            c = tt.columns.get(col)
            ctype = c.type if c is not None and c.type else "integer"
            return tt.name, col, _fk_type(ctype)
        if isinstance(target, tuple):
            auto = "integer" if target[0] in ("auth", "contenttypes") else \
                self.types.get(self.auto.get(target[0], "AutoField"), "integer")
            return f"{target[0]}_{target[1]}", to_field or "id", _fk_type(auto)
        return "?", to_field or "id", "integer"

    def m2m(self, name: str, m: _Model, target, kw: dict, line: int) -> None:
        t = self.tables[(m.app, m.name)]
        db_table = literal(kw.get("db_table"))
        jt = Table(db_table if isinstance(db_table, str) else f"{t.name}_{name}", location=location(m.rel, line))
        ref_table, ref_col, ref_type = self.referenced(target)
        src = m.name.lower()
        dst = (target.name.lower() if isinstance(target, _Model) else target[1] if isinstance(target, tuple) else "x")
        a, b = (f"from_{src}_id", f"to_{dst}_id") if src == dst else (f"{src}_id", f"{dst}_id")
        auto = self.auto.get(m.app, "AutoField")
        jt.columns["id"] = Column("id", self.types.get(auto, "integer"), nullable=False, identity=True)
        jt.columns[a] = Column(a, _fk_type(t.columns[t.primary_key[0]].type), nullable=False)
        jt.columns[b] = Column(b, ref_type, nullable=False)
        jt.primary_key = ("id",)
        for col, rt, rc in ((a, t.name, t.primary_key[0]), (b, ref_table, ref_col)):
            jt.foreign_keys.append(ForeignKey(index_name(jt.name, [col], f"_fk_{rt}_{rc}", self.max_name), (col,),
                                              rt, (rc,), on_delete="NO ACTION"))
        jt.uniques.append((a, b))
        jt.indexes.append(Index(index_name(jt.name, [a, b], "_uniq", self.max_name), (a, b), unique=True))
        for col in (a, b):
            jt.indexes.append(Index(index_name(jt.name, [col], "", self.max_name), (col,)))
        jt.extra["implicit"] = f"Django many-to-many table of {m.name}.{name}"
        self.tables[(m.app, f"{m.name}.{name}")] = jt

    # -- Meta -----------------------------------------------------------------------------------------
    def meta(self, m: _Model, t: Table) -> None:
        meta = dict(m.meta)
        for b in m.bases:  # Meta options of an abstract parent are inherited when the child has none
            parent = self.lookup(b, m.app)
            if parent is not None and parent.abstract:
                for k in ("indexes", "constraints", "unique_together", "index_together"):
                    meta.setdefault(k, parent.meta.get(k))
        fields = {name: call for name, call, _, _ in self.inherited(m)}

        def column(field: str) -> str:
            call = fields.get(field)
            if call is None:
                return field
            kw = {k.arg: k.value for k in call.keywords if k.arg}
            if isinstance(literal(kw.get("db_column")), str):
                return literal(kw["db_column"])
            return f"{field}_id" if call_name(call) in _RELATIONS else field

        for key, suffix in (("unique_together", "_uniq"), ("index_together", "_idx")):
            value = literal(meta.get(key)) if meta.get(key) is not None else None
            if not value:
                continue
            groups = [value] if all(isinstance(v, str) for v in value) else value
            for g in groups:
                cols = tuple(column(f) for f in g)
                name = index_name(t.name, cols, suffix, self.max_name)
                if key == "unique_together":
                    t.uniques.append(cols)
                t.indexes.append(Index(name, cols, unique=key == "unique_together"))
        for node in getattr(meta.get("indexes"), "elts", []) or []:
            if isinstance(node, ast.Call) and call_name(node).endswith("Index"):
                self.meta_index(t, node, column)
        for node in getattr(meta.get("constraints"), "elts", []) or []:
            if isinstance(node, ast.Call) and call_name(node) == "UniqueConstraint":
                kw = {k.arg: k.value for k in node.keywords if k.arg}
                fl = literal(kw.get("fields")) or ()
                cols = tuple(column(f) for f in fl)
                name = literal(kw.get("name")) or index_name(t.name, cols, "_uniq", self.max_name)
                cond = kw.get("condition")
                if cond is None and cols:
                    t.uniques.append(cols)
                t.indexes.append(Index(str(name).replace("%(app_label)s", m.app).replace("%(class)s", m.name.lower()),
                                       cols or tuple(ast.unparse(e) for e in node.args), unique=True,
                                       predicate=ast.unparse(cond) if cond is not None else ""))
            elif isinstance(node, ast.Call) and call_name(node) == "CheckConstraint":
                kw = {k.arg: k.value for k in node.keywords if k.arg}
                cond = kw.get("check") or kw.get("condition")
                t.checks.append(f"{literal(kw.get('name')) or ''}: {ast.unparse(cond) if cond else ''}")

    def meta_index(self, t: Table, node: ast.Call, column) -> None:
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        fl = [f for f in (literal(kw.get("fields")) or ()) if isinstance(f, str)]
        cols = [column(f.lstrip("-")) for f in fl]
        orders = ["-" if f.startswith("-") else "" for f in fl]
        if not cols:
            cols = [ast.unparse(e) for e in node.args]
            orders = [""] * len(cols)
        name = literal(kw.get("name"))
        if not isinstance(name, str):
            name = meta_index_name(t.name, cols, orders) if cols else f"{t.name}_idx"
        cond = kw.get("condition")
        method = {"GinIndex": "gin", "GistIndex": "gist", "BrinIndex": "brin", "HashIndex": "hash",
                  "SpGistIndex": "spgist", "BloomIndex": "bloom"}.get(call_name(node), "btree")
        t.indexes.append(Index(name, tuple(cols), predicate=ast.unparse(cond) if cond is not None else "",
                               method=method))


def _fk_type(ctype: str) -> str:
    """A foreign key column has its target's type, without the identity (rel_db_type)."""
    return {"serial": "integer", "bigserial": "bigint"}.get(ctype, ctype)


def _comment(kw: dict) -> str:
    v = literal(kw.get("db_comment"))
    return v if isinstance(v, str) else ""


def _db_default(node: ast.AST) -> str:
    v = literal(node)
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if v is not None:
        return str(v)
    if isinstance(node, ast.Call) and call_name(node) == "Now":
        return "CURRENT_TIMESTAMP"
    return ast.unparse(node)
