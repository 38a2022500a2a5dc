"""Rails ``db/schema.rb`` (and ``db/<name>_schema.rb`` of multi-database apps): one Schema per file.

The dump is a fixed Ruby DSL, read statement by statement with a small literal parser (strings,
symbols, numbers, arrays, hashes, ``-> { "sql" }``): ``create_table`` (``id: false``, ``id: :uuid``,
``primary_key:``), ``t.<type>`` columns (``null: false``, ``default:``, ``limit:``, ``precision:``),
``t.references``/``t.belongs_to`` (bigint ``<name>_id``, indexed unless ``index: false``, a foreign
key with ``foreign_key: true``, ``polymorphic:``), ``t.index``, ``add_index``, ``add_foreign_key``.
``t.timestamps`` adds ``created_at``/``updated_at``. Types are Rails' on the app's adapter
(``config/database.yml``; PostgreSQL when not told): ``datetime`` is ``timestamp(6) without time
zone`` for dumps of Rails 7+ (``ActiveRecord::Schema[7.x]``), ``timestamp without time zone``
before. Index and FK names default as Rails makes them (``index_orders_on_user_id``,
``fk_rails_<sha256[:10]>``).
"""

from __future__ import annotations

import hashlib
import re

from ...sources.walk import Repository
from ..model import Column, ForeignKey, Index, Schema, Table
from .common import add_unique, finish, location, pg_type, problem

_FILE = re.compile(r"(^|/)db/(\w+_)?schema\.rb$")
_VERSION = re.compile(r"ActiveRecord::Schema(?:\[(\d+)\.(\d+)\])?\.define")
_ADAPTERS = {"postgresql": "postgresql", "postgis": "postgresql", "mysql2": "mysql", "trilogy": "mysql",
             "mysql": "mysql", "sqlite3": "sqlite"}
_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\n]+) | (?P<comment>\#[^\n]*) |
    (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*') |
    (?P<sym>:"(?:[^"\\]|\\.)*"|:[A-Za-z_]\w*[?!]?) |
    (?P<key>[A-Za-z_]\w*[?!]?:(?!:)) |
    (?P<num>-?\d[\d_]*(?:\.\d+)?(?:e-?\d+)?) |
    (?P<arrow>->|=>) |
    (?P<id>[A-Za-z_][\w:.]*[?!]?) |
    (?P<punct>[\[\]{}(),|])
""", re.X)


class RubySyntax(Exception):
    pass


class Sym(str):
    """A Ruby symbol (``:cascade``), distinct from a string."""


class Sql(str):
    """A ``-> { "now()" }`` default: SQL, not a literal."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise RubySyntax(f"unexpected {text[pos]!r}")
        if m.lastgroup not in ("ws", "comment"):
            out.append((m.lastgroup, m.group()))
        pos = m.end()
    return out


class _Args:
    def __init__(self, toks: list[tuple[str, str]]):
        self.toks, self.i = toks, 0

    def parse(self) -> tuple[list, dict]:
        args, kw = [], {}
        while self.i < len(self.toks):
            kind, text = self.toks[self.i]
            if kind == "key":
                self.i += 1
                kw[text[:-1]] = self.value()
            else:
                v = self.value()
                if self.i < len(self.toks) and self.toks[self.i][1] == "=>":
                    self.i += 1
                    kw[str(v)] = self.value()
                else:
                    args.append(v)
            if self.i < len(self.toks) and self.toks[self.i][1] == ",":
                self.i += 1
        return args, kw

    def value(self):
        if self.i >= len(self.toks):
            raise RubySyntax("a value is missing")
        kind, text = self.toks[self.i]
        self.i += 1
        if kind == "str":
            body = text[1:-1]
            return re.sub(r"\\(.)", r"\1", body) if text[0] == '"' else body.replace("\\'", "'")
        if kind == "sym":
            return Sym(text[2:-1] if text.startswith(':"') else text[1:])
        if kind == "num":
            t = text.replace("_", "")
            return float(t) if "." in t or "e" in t else int(t)
        if kind == "id":
            return {"true": True, "false": False, "nil": None}.get(text, Sym(text))
        if text == "->":  # -> { "sql" }
            depth, body = 0, []
            while self.i < len(self.toks):
                k, t = self.toks[self.i]
                self.i += 1
                if t == "{":
                    depth += 1
                elif t == "}":
                    depth -= 1
                    if depth == 0:
                        break
                elif k == "str":
                    body.append(t[1:-1])
            return Sql(" ".join(body))
        if text == "[":
            items = []
            while self.i < len(self.toks) and self.toks[self.i][1] != "]":
                items.append(self.value())
                if self.i < len(self.toks) and self.toks[self.i][1] == ",":
                    self.i += 1
            self.i += 1
            return items
        if text == "{":
            out = {}
            while self.i < len(self.toks) and self.toks[self.i][1] != "}":
                k, t = self.toks[self.i]
                if k == "key":
                    self.i += 1
                    out[t[:-1]] = self.value()
                else:
                    key = self.value()
                    if self.i < len(self.toks) and self.toks[self.i][1] == "=>":
                        self.i += 1
                    out[str(key)] = self.value()
                if self.i < len(self.toks) and self.toks[self.i][1] == ",":
                    self.i += 1
            self.i += 1
            return out
        raise RubySyntax(f"unexpected {text!r}")


def _call(line: str) -> tuple[list, dict]:
    text = re.sub(r"\s+do(\s*\|\w+\|)?\s*$", "", line)  # the block opener of create_table
    return _Args(_tokens(text)).parse()


def read(repo: Repository) -> list[Schema]:
    out = []
    for rel in repo.files:
        if not _FILE.search(rel):
            continue
        text = repo.text(rel)
        if text is None or "ActiveRecord::Schema" not in text:
            continue
        out.append(parse(text, rel, _dialect(repo, rel)))
    return out


def _dialect(repo: Repository, rel: str) -> str:
    app = rel[: rel.rfind("db/")]
    text = repo.text(f"{app}config/database.yml") if f"{app}config/database.yml" in repo.files else None
    found = {_ADAPTERS.get(a, a) for a in re.findall(r"^\s*adapter:\s*[\"']?(\w+)", text or "", re.M)}
    return found.pop() if len(found) == 1 else ""


def pluralize(word: str) -> str:
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def singularize(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if re.search(r"(s|x|z|ch|sh)es$", word):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def fk_name(table: str, column: str) -> str:
    return "fk_rails_" + hashlib.sha256(f"{table}_{column}_fk".encode()).hexdigest()[:10]


def parse(text: str, rel: str, dialect: str = "") -> Schema:
    if not dialect and re.search(r'enable_extension\s+"plpgsql"', text):
        dialect = "postgresql"
    schema = Schema(f"rails {rel}", dialect=dialect)
    version = _VERSION.search(text)
    rails7 = bool(version and version.group(1) and int(version.group(1)) >= 7)
    r = _Rails(schema, rails7, rel)
    table: Table | None = None
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line, lineno = lines[i].strip(), i + 1
        i += 1
        # a statement may continue on the next lines while brackets are open or it ends with a comma
        while i < len(lines) and (line.count("(") + line.count("[") + line.count("{")
                                  > line.count(")") + line.count("]") + line.count("}") or line.endswith(",")):
            line += " " + lines[i].strip()
            i += 1
        if not line or line.startswith("#"):
            continue
        try:
            if line.startswith("create_table "):
                args, kw = _call(line[len("create_table "):])
                table = r.create_table(args, kw, lineno)
            elif line == "end":
                if table is not None:
                    r.close(table)
                table = None
            elif table is not None and (m := re.match(r"t\.(\w+)\s*(.*)$", line)):
                args, kw = _call(m.group(2))
                r.table_call(table, m.group(1), args, kw)
            elif m := re.match(r"(add_index|add_foreign_key|create_join_table)\s+(.*)$", line):
                args, kw = _call(m.group(2))
                getattr(r, m.group(1))(args, kw, lineno)
        except (RubySyntax, IndexError, KeyError, TypeError, ValueError, AttributeError) as exc:
            problem(schema, location(rel, lineno), f"not read: {exc}")
            if line.startswith("create_table "):
                table = None
    if table is not None:
        problem(schema, location(rel, len(lines)), f"create_table {table.name!r} is never closed")
        r.close(table)
    for t in schema.tables.values():
        for fk in t.foreign_keys:
            if not fk.ref_columns:
                target = schema.find(fk.ref_table)
                fk.ref_columns = tuple(target.primary_key) if target and target.primary_key else ("id",)
    return finish(schema)


class _Rails:
    def __init__(self, schema: Schema, rails7: bool, rel: str):
        self.schema, self.rails7, self.rel = schema, rails7, rel
        self.mysql = schema.dialect == "mysql"
        self.sqlite = schema.dialect == "sqlite"

    def type(self, kind: str, kw: dict) -> str:
        limit, precision, scale = kw.get("limit"), kw.get("precision"), kw.get("scale")
        if self.mysql:
            base = {"string": "varchar", "text": "text", "integer": "int", "bigint": "bigint", "float": "float",
                    "decimal": "decimal", "datetime": "datetime", "timestamp": "timestamp", "time": "time",
                    "date": "date", "binary": "blob", "boolean": "tinyint(1)", "json": "json"}.get(kind, kind)
            if kind == "string":
                return f"varchar({limit or 255})"
            if kind == "integer" and limit:
                base = {1: "tinyint", 2: "smallint", 3: "mediumint", 8: "bigint"}.get(limit, "int")
            if kind == "datetime":
                p = precision if "precision" in kw else (6 if self.rails7 else None)
                return f"datetime({p})" if p else "datetime"
            if kind == "decimal" and precision:
                return f"decimal({precision},{scale or 0})"
            return base
        if kind == "string":
            return f"varchar({limit})" if limit else "varchar"
        if kind == "integer":
            return {2: "smallint", 8: "bigint"}.get(limit, "integer")
        if kind in ("datetime", "timestamp", "timestamptz"):
            p = precision if "precision" in kw else (6 if self.rails7 else None)
            return pg_type("timestamptz" if kind == "timestamptz" else "timestamp", [p] if p else [])
        if kind == "time":
            return pg_type("time", [precision] if precision else [])
        if kind == "decimal":
            return f"numeric({precision},{scale or 0})" if precision else "numeric"
        if kind == "float":
            return "double precision"
        if kind == "binary":
            return "bytea"
        return pg_type(kind)

    def default(self, kw: dict) -> str | None:
        if "default" not in kw or kw["default"] is None:
            return None
        v = kw["default"]
        if isinstance(v, Sql):
            return str(v)
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return str(v)
        return "'" + str(v).replace("'", "''") + "'"

    def create_table(self, args: list, kw: dict, line: int) -> Table:
        t = Table(str(args[0]), location=location(self.rel, line))
        if "." in t.name:
            t.schema, t.name = t.name.split(".", 1)
        self.schema.add(t)
        id_ = kw.get("id", Sym("bigint") if "id" not in kw else kw.get("id"))
        pk = kw.get("primary_key")
        if id_ is False:
            if isinstance(pk, list):  # composite primary key (Rails 7.1): columns follow in the block
                t.primary_key = tuple(str(p) for p in pk)
            return t
        name = str(pk) if isinstance(pk, str) else "id"
        if isinstance(pk, list):
            t.primary_key = tuple(str(p) for p in pk)
            return t
        kind = str(id_) if id_ is not True else "bigint"
        ctype = {"uuid": "uuid", "integer": "integer", "serial": "integer", "bigserial": "bigint", "string": "varchar",
                 "bigint": "bigint"}.get(kind, self.type(kind, {}))
        if self.mysql and kind == "bigint":
            ctype = "bigint"
        col = Column(name, ctype, nullable=False, identity=kind in ("bigint", "integer", "serial", "bigserial"),
                     default=self.default(kw) if "default" in kw else ("gen_random_uuid()" if kind == "uuid" else None))
        t.columns[name] = col
        t.primary_key = (name,)
        return t

    def close(self, t: Table) -> None:
        for c in t.primary_key:
            if c in t.columns:
                t.columns[c].nullable = False

    def table_call(self, t: Table, method: str, args: list, kw: dict) -> None:
        if method == "index":
            self.index(t, args[0], kw)
        elif method in ("references", "belongs_to"):
            for name in args:
                self.reference(t, str(name), kw)
        elif method == "timestamps":
            for name in ("created_at", "updated_at"):
                t.columns[name] = Column(name, self.type("datetime", kw), nullable=kw.get("null", False) is True)
        elif method == "check_constraint":
            t.checks.append(str(args[0]))
        else:
            kind = "timestamptz" if method == "timestamptz" else method
            if method == "column":
                kind = str(args[1])
                args = args[:1]
            for name in args:
                col = Column(str(name), self.type(kind, kw) + ("[]" if kw.get("array") else ""),
                             nullable=kw.get("null", True) is not False, default=self.default(kw),
                             comment=str(kw.get("comment", "")))
                t.columns[col.name] = col
                if kw.get("index"):
                    opts = kw["index"] if isinstance(kw["index"], dict) else {}
                    self.index(t, [col.name], opts)

    def reference(self, t: Table, name: str, kw: dict) -> None:
        col = f"{name}_id"
        kind = str(kw.get("type", "bigint"))
        t.columns[col] = Column(col, self.type(kind, {}) if kind != "uuid" else "uuid",
                                nullable=kw.get("null", True) is not False)
        cols = [col]
        if kw.get("polymorphic"):
            t.columns[f"{name}_type"] = Column(f"{name}_type", self.type("string", {}),
                                               nullable=kw.get("null", True) is not False)
            cols = [f"{name}_type", col]
        index = kw.get("index", True)
        if index is not False:
            self.index(t, cols, index if isinstance(index, dict) else {})
        fk = kw.get("foreign_key")
        if fk:
            to = pluralize(name)
            if isinstance(fk, dict):
                to = str(fk.get("to_table", to))
            t.foreign_keys.append(ForeignKey(fk_name(t.name, col), (col,), to, (),
                                             on_delete=_action(fk.get("on_delete") if isinstance(fk, dict) else None)))
        self.schema.fk_indexed_by_framework = True  # references are indexed unless index: false

    def index(self, t: Table, cols, kw: dict) -> None:
        cols = tuple(str(c) for c in cols) if isinstance(cols, list) else (str(cols),)
        name = str(kw.get("name") or f"index_{t.name}_on_{'_and_'.join(cols)}")
        if kw.get("unique"):
            add_unique(t, cols, name, constraint=False)
            t.indexes[-1].predicate = str(kw.get("where") or "")
            t.indexes[-1].method = str(kw.get("using") or "btree")
        else:
            t.indexes.append(Index(name, cols, predicate=str(kw.get("where") or ""),
                                   method=str(kw.get("using") or "btree")))

    def add_index(self, args: list, kw: dict, line: int) -> None:
        t = self.schema.find(str(args[0]))
        if t is None:
            problem(self.schema, location(self.rel, line), f"add_index on unknown table {args[0]}")
            return
        self.index(t, args[1], kw)

    def add_foreign_key(self, args: list, kw: dict, line: int) -> None:
        t = self.schema.find(str(args[0]))
        if t is None:
            problem(self.schema, location(self.rel, line), f"add_foreign_key on unknown table {args[0]}")
            return
        to = str(args[1])
        col = kw.get("column", f"{singularize(to.split('.')[-1])}_id")
        cols = tuple(str(c) for c in col) if isinstance(col, list) else (str(col),)
        pk = kw.get("primary_key")
        refs = tuple(str(c) for c in pk) if isinstance(pk, list) else (str(pk),) if pk else ()
        name = str(kw.get("name") or fk_name(t.name, cols[0] if len(cols) == 1 else "_".join(cols)))
        t.foreign_keys.append(ForeignKey(name, cols, to, refs, validated=kw.get("validate", True) is not False,
                                         on_delete=_action(kw.get("on_delete"))))

    def create_join_table(self, args: list, kw: dict, line: int) -> None:
        a, b = sorted([str(args[0]), str(args[1])])
        t = Table(str(kw.get("table_name") or f"{a}_{b}"), location=location(self.rel, line))
        for name in (singularize(a), singularize(b)):
            t.columns[f"{name}_id"] = Column(f"{name}_id", "bigint", nullable=False)
        self.schema.add(t)


def _action(v) -> str:
    return {"cascade": "CASCADE", "nullify": "SET NULL", "restrict": "RESTRICT"}.get(str(v) if v else "", "NO ACTION")
