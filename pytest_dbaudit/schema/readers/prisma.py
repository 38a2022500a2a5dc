"""Prisma schemas (``*.prisma``): the tables, keys and indexes ``prisma migrate`` would create.

One Schema per schema: a ``schema.prisma`` file, or a folder of ``.prisma`` files (``prismaSchemaFolder``).
Models become tables (``@@map``), scalar fields columns (``@map``), relation fields foreign keys
(``@relation(fields:, references:)``). Prisma names things the way its migrations do: ``User_pkey``,
``User_email_key`` (a unique *index*, not a constraint), ``Order_userId_idx``, ``Order_userId_fkey``.
Prisma creates no index for foreign-key columns (MySQL's InnoDB adds one itself), and with
``relationMode = "prisma"`` no foreign-key constraints at all: the relations are still listed as
foreign keys, marked in ``Table.extra["unenforced_foreign_keys"]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...sources.walk import Repository
from ..model import Column, ForeignKey, Index, Schema, Table
from .common import add_unique, finish, location, pg_type, problem

_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r]+) | (?P<nl>\n) | (?P<comment>//[^\n]*) |
    (?P<str>"(?:[^"\\\n]|\\.)*") | (?P<num>-?\d+(?:\.\d+)?) |
    (?P<attr>@@?[A-Za-z_][\w.]*) | (?P<id>[A-Za-z_][\w.]*) |
    (?P<punct>[{}()\[\],:?=])
""", re.X)

_PROVIDERS = {"postgresql": "postgresql", "postgres": "postgresql", "cockroachdb": "postgresql", "mysql": "mysql",
              "sqlite": "sqlite", "sqlserver": "sqlserver", "mongodb": "mongodb"}

# Prisma scalar -> column type per provider (what `prisma migrate` writes when no @db. type is given)
_SCALARS = {
    "postgresql": {"String": "text", "Int": "integer", "BigInt": "bigint", "Float": "double precision",
                   "Decimal": "numeric(65,30)", "Boolean": "boolean", "DateTime": "timestamp(3) without time zone",
                   "Json": "jsonb", "Bytes": "bytea"},
    "mysql": {"String": "varchar(191)", "Int": "int", "BigInt": "bigint", "Float": "double",
              "Decimal": "decimal(65,30)", "Boolean": "boolean", "DateTime": "datetime(3)", "Json": "json",
              "Bytes": "longblob"},
    "sqlite": {"String": "text", "Int": "integer", "BigInt": "bigint", "Float": "real", "Decimal": "decimal",
               "Boolean": "boolean", "DateTime": "datetime", "Json": "jsonb", "Bytes": "blob"},
    "sqlserver": {"String": "nvarchar(1000)", "Int": "int", "BigInt": "bigint", "Float": "float",
                  "Decimal": "decimal(32,16)", "Boolean": "bit", "DateTime": "datetime2", "Json": "nvarchar(max)",
                  "Bytes": "varbinary(max)"},
}
# @db.X native types on PostgreSQL
_PG_NATIVE = {"VarChar": "varchar", "Char": "char", "Text": "text", "Uuid": "uuid", "Timestamptz": "timestamptz",
              "Timestamp": "timestamp", "Date": "date", "Time": "time", "Timetz": "timetz", "Integer": "integer",
              "SmallInt": "smallint", "BigInt": "bigint", "Real": "real", "DoublePrecision": "double precision",
              "Decimal": "numeric", "Money": "money", "Boolean": "boolean", "Json": "json", "JsonB": "jsonb",
              "ByteA": "bytea", "Xml": "xml", "Inet": "inet", "Bit": "bit", "VarBit": "varbit", "Oid": "oid",
              "Citext": "citext"}
_ON_DELETE = {"Cascade": "CASCADE", "Restrict": "RESTRICT", "NoAction": "NO ACTION", "SetNull": "SET NULL",
              "SetDefault": "SET DEFAULT"}


class PrismaSyntax(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


@dataclass
class _Tok:
    kind: str
    text: str
    line: int


@dataclass
class Call:
    """An attribute or function call: ``@unique``, ``@relation(fields: [a], references: [id])``, ``now()``."""

    name: str
    args: list = field(default_factory=list)  # positional values
    kwargs: dict = field(default_factory=dict)
    line: int = 0

    def arg(self, key: str, pos: int | None = 0):
        if key in self.kwargs:
            return self.kwargs[key]
        return self.args[pos] if pos is not None and pos < len(self.args) else None


@dataclass
class Field:
    name: str
    type: str
    list: bool
    optional: bool
    attrs: list[Call]
    line: int

    def attr(self, name: str) -> Call | None:
        return next((a for a in self.attrs if a.name == name), None)


@dataclass
class Block:
    kind: str  # model, enum, view, type, datasource, generator
    name: str
    line: int
    file: str
    fields: list[Field] = field(default_factory=list)
    attrs: list[Call] = field(default_factory=list)  # @@ attributes
    settings: dict = field(default_factory=dict)  # datasource / generator key = value


@dataclass
class Ident:
    name: str


def _tokens(text: str) -> list[_Tok]:
    out, line, pos = [], 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise PrismaSyntax(f"unexpected character {text[pos]!r}", line)
        kind = m.lastgroup
        if kind == "nl":
            out.append(_Tok("nl", "\n", line))
            line += 1
        elif kind not in ("ws", "comment"):
            out.append(_Tok(kind, m.group(), line))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, toks: list[_Tok], file: str):
        self.toks, self.i, self.file, self.depth = toks, 0, file, 0

    def peek(self, skip_nl: bool = True) -> _Tok | None:
        while self.i < len(self.toks) and skip_nl and self.toks[self.i].kind == "nl":
            self.i += 1
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, text: str | None = None, kind: str | None = None, skip_nl: bool = True) -> _Tok:
        t = self.peek(skip_nl)
        last = self.toks[-1].line if self.toks else 1
        if t is None:
            raise PrismaSyntax(f"unexpected end of file, expected {text or kind}", last)
        if (text is not None and t.text != text) or (kind is not None and t.kind != kind):
            raise PrismaSyntax(f"expected {text or kind}, found {t.text!r}", t.line)
        self.i += 1
        return t

    def blocks(self) -> list[Block]:
        out = []
        while (t := self.peek()) is not None:
            kw = self.take(kind="id")
            name = self.take(kind="id")
            self.take("{")
            b = Block(kw.text, name.text, kw.line, self.file)
            if kw.text in ("datasource", "generator"):
                self._settings(b)
            elif kw.text == "enum":
                self._enum(b)
            elif kw.text in ("model", "view", "type"):
                self._model(b)
            else:
                raise PrismaSyntax(f"unknown block {kw.text!r}", t.line)
            out.append(b)
        return out

    def _settings(self, b: Block) -> None:
        while (t := self.peek()) is not None and t.text != "}":
            key = self.take(kind="id").text
            self.take("=")
            b.settings[key] = self.value()
        self.take("}")

    def _enum(self, b: Block) -> None:
        while (t := self.peek()) is not None and t.text != "}":
            if t.kind == "attr":
                self.i += 1
                self.call_rest(t)
                continue
            self.take(kind="id")
            while (t := self.peek(skip_nl=False)) is not None and t.kind == "attr":
                self.i += 1
                self.call_rest(t)
        self.take("}")

    def _model(self, b: Block) -> None:
        while (t := self.peek()) is not None and t.text != "}":
            if t.kind == "attr" and t.text.startswith("@@"):
                self.i += 1
                b.attrs.append(self.call_rest(t))
                continue
            name = self.take(kind="id")
            type_tok = self.take(kind="id", skip_nl=False)
            ftype = type_tok.text
            if ftype == "Unsupported":
                ftype = f"Unsupported({self.value_list_in_parens()})"
            is_list = optional = False
            nxt = self.peek(skip_nl=False)
            if nxt is not None and nxt.text == "[":
                self.i += 1
                self.take("]", skip_nl=False)
                is_list = True
                nxt = self.peek(skip_nl=False)
            if nxt is not None and nxt.text == "?":
                self.i += 1
                optional = True
            attrs = []
            while (t := self.peek(skip_nl=False)) is not None and t.kind == "attr":
                self.i += 1
                attrs.append(self.call_rest(t))
            t = self.peek(skip_nl=False)
            if t is not None and t.kind not in ("nl",) and t.text != "}":
                raise PrismaSyntax(f"unexpected {t.text!r} after field {name.text}", t.line)
            b.fields.append(Field(name.text, ftype, is_list, optional, attrs, name.line))
        self.take("}")

    def value_list_in_parens(self) -> str:
        self.take("(", skip_nl=False)
        v = self.value()
        self.take(")")
        return v if isinstance(v, str) else str(v)

    def call_rest(self, head: _Tok) -> Call:
        """After an attribute or function name: its optional ``(args)``."""
        c = Call(head.text.lstrip("@"), line=head.line)
        t = self.peek(skip_nl=False)
        if t is None or t.text != "(":
            return c
        self.i += 1
        while (t := self.peek()) is not None and t.text != ")":
            if t.kind == "id" and self.i + 1 < len(self.toks) and self.toks[self.i + 1].text == ":":
                self.i += 2
                c.kwargs[t.text] = self.value()
            else:
                c.args.append(self.value())
            if (t := self.peek()) is not None and t.text == ",":
                self.i += 1
        self.take(")")
        return c

    def value(self):
        t = self.peek()
        if t is None:
            raise PrismaSyntax("unexpected end of file in a value", self.toks[-1].line if self.toks else 1)
        self.i += 1
        if t.kind == "str":
            return re.sub(r"\\(.)", r"\1", t.text[1:-1])
        if t.kind == "num":
            return float(t.text) if "." in t.text else int(t.text)
        if t.text == "[":
            items = []
            while (n := self.peek()) is not None and n.text != "]":
                items.append(self.value())
                if (n := self.peek()) is not None and n.text == ",":
                    self.i += 1
            self.take("]")
            return items
        if t.kind == "id":
            nxt = self.peek(skip_nl=False)
            if nxt is not None and nxt.text == "(":
                return self.call_rest(t)
            if t.text in ("true", "false"):
                return t.text == "true"
            return Ident(t.text)
        raise PrismaSyntax(f"unexpected {t.text!r}", t.line)


def parse(text: str, file: str = "") -> list[Block]:
    return _Parser(_tokens(text), file).blocks()


# -- repository ------------------------------------------------------------------------------------

def read(repo: Repository) -> list[Schema]:
    groups: dict[str, list[str]] = {}
    for rel in repo.files:
        if rel.endswith(".prisma") and "/migrations/" not in f"/{rel}":
            folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
            groups.setdefault(folder, []).append(rel)
    out = []
    for folder, files in sorted(groups.items()):
        if sum(_has_datasource(repo, f) for f in files) > 1:
            # several standalone schemas side by side (each with its datasource): each one its own
            out += [build(repo, [rel]) for rel in files]
        else:  # one schema, possibly split over files (prismaSchemaFolder)
            out.append(build(repo, files))
    return out


def _has_datasource(repo: Repository, rel: str) -> bool:
    return re.search(r"^\s*datasource\s+\w+\s*\{", repo.text(rel) or "", re.M) is not None


def build(repo: Repository, files: list[str]) -> Schema:
    label = files[0] if len(files) == 1 else (files[0].rsplit("/", 1)[0] + "/")
    schema = Schema(f"prisma {label}")
    blocks: list[Block] = []
    for rel in files:
        text = repo.text(rel)
        if text is None:
            problem(schema, rel, "could not be read")
            continue
        try:
            blocks += parse(text, rel)
        except PrismaSyntax as exc:
            problem(schema, f"{rel}:{exc.line}", f"not read: {exc}")
    return from_blocks(schema, blocks)


def _s(v) -> str:
    return v.name if isinstance(v, Ident) else str(v)


def _names(v) -> list[str]:
    """Field names of ``[a, b(sort: Desc)]`` or ``fields: [a]``."""
    out = []
    for item in v if isinstance(v, list) else [v] if v is not None else []:
        out.append(item.name if isinstance(item, Call) else _s(item))
    return out


def from_blocks(schema: Schema, blocks: list[Block]) -> Schema:
    ds = next((b for b in blocks if b.kind == "datasource"), None)
    provider = str(ds.settings.get("provider", "")) if ds else ""
    schema.dialect = _PROVIDERS.get(provider, provider) if provider else ""
    relation_mode = str(ds.settings.get("relationMode", "")) if ds else ""
    if ds and provider == "mongodb":
        return schema
    types = _SCALARS.get(schema.dialect, _SCALARS["postgresql"])
    models = {b.name: b for b in blocks if b.kind == "model"}
    enums = {b.name for b in blocks if b.kind == "enum"}
    composites = {b.name for b in blocks if b.kind in ("type", "view")}

    def table_of(b: Block) -> str:
        m = next((a for a in b.attrs if a.name == "map"), None)
        return _s(m.arg("name")) if m else b.name

    def column_of(f: Field) -> str:
        m = f.attr("map")
        return _s(m.arg("name")) if m else f.name

    by_model: dict[str, Table] = {}
    for b in models.values():
        tname = table_of(b)
        t = Table(tname, location=location(b.file, b.line))
        fields = {f.name: f for f in b.fields}
        for f in b.fields:
            if f.type in models or f.type in composites:
                continue  # relation (or composite) field: not a column
            cname = column_of(f)
            ctype, identity, default = _column_type(f, types, schema.dialect, enums)
            t.columns[cname] = Column(cname, ctype, nullable=f.optional, default=default, identity=identity)
            if f.attr("id"):
                t.primary_key = (cname,)
                _pk_name(t, f.attr("id"), schema.dialect)
            if (u := f.attr("unique")) is not None:
                name = _s(u.arg("map", None)) if u.arg("map", None) else f"{tname}_{cname}_key"
                add_unique(t, (cname,), name, constraint=False)

        def cols(v) -> tuple[str, ...]:
            return tuple(column_of(fields[n]) if n in fields else n for n in _names(v))

        for a in b.attrs:
            if a.name == "id":
                t.primary_key = cols(a.arg("fields"))
                _pk_name(t, a, schema.dialect)
            elif a.name == "unique":
                c = cols(a.arg("fields"))
                name = _s(a.kwargs["map"]) if "map" in a.kwargs else f"{tname}_{'_'.join(c)}_key"
                add_unique(t, c, name, constraint=False)
            elif a.name == "index":
                c = cols(a.arg("fields"))
                name = _s(a.kwargs["map"]) if "map" in a.kwargs else f"{tname}_{'_'.join(c)}_idx"
                method = _s(a.kwargs["type"]).lower() if "type" in a.kwargs else "btree"
                t.indexes.append(Index(name, c, method=method))
            elif a.name == "fulltext":
                c = cols(a.arg("fields"))
                name = _s(a.kwargs["map"]) if "map" in a.kwargs else f"{tname}_{'_'.join(c)}_idx"
                t.indexes.append(Index(name, c, method="fulltext"))
            elif a.name == "schema":
                t.schema = _s(a.arg("name"))
        by_model[b.name] = t  # a model with only @unique/@@unique has no primary key: a real defect

    # relations, once every model's columns are known
    unenforced = relation_mode == "prisma"
    for b in models.values():
        t = by_model[b.name]
        fields = {f.name: f for f in b.fields}
        for f in b.fields:
            if f.type not in models:
                continue
            rel = f.attr("relation")
            if rel is None or rel.arg("fields", None) is None:
                continue
            target = models[f.type]
            tfields = {x.name: x for x in target.fields}
            cols = tuple(column_of(fields[n]) if n in fields else n for n in _names(rel.arg("fields", None)))
            refs = tuple(column_of(tfields[n]) if n in tfields else n for n in _names(rel.arg("references", None)))
            name = _s(rel.kwargs["map"]) if "map" in rel.kwargs else f"{t.name}_{'_'.join(cols)}_fkey"
            optional = all(t.columns[c].nullable for c in cols if c in t.columns)
            on_delete = _ON_DELETE.get(_s(rel.kwargs.get("onDelete", "")), "SET NULL" if optional else "RESTRICT")
            t.foreign_keys.append(ForeignKey(name, cols, by_model[f.type].qualname, refs, on_delete=on_delete))
            if unenforced:
                t.extra.setdefault("unenforced_foreign_keys", []).append(name)
    for t in by_model.values():
        schema.add(t)
    _implicit_many_to_many(schema, models, by_model, unenforced)
    return finish(schema)


def _pk_name(t: Table, attr: Call, dialect: str) -> None:
    if "map" in attr.kwargs:
        t.indexes.insert(0, Index(_s(attr.kwargs["map"]), t.primary_key, unique=True, primary=True))
    elif dialect == "postgresql":
        t.indexes.insert(0, Index(f"{t.name}_pkey", t.primary_key, unique=True, primary=True))


def _column_type(f: Field, types: dict, dialect: str, enums: set[str]) -> tuple[str, bool, str | None]:
    native = next((a for a in f.attrs if a.name.startswith("db.")), None)
    if native is not None and dialect == "postgresql":
        base = _PG_NATIVE.get(native.name[3:], native.name[3:].lower())
        ctype = pg_type(base, [a for a in native.args if isinstance(a, int)])
    elif native is not None:
        args = ",".join(str(a) for a in native.args if isinstance(a, (int, float)))
        ctype = native.name[3:].lower() + (f"({args})" if args else "")
    elif f.type in enums:
        ctype = f.type.lower() if dialect != "mysql" else "enum"
    elif f.type.startswith("Unsupported("):
        ctype = f.type[len("Unsupported("):-1].lower()
    else:
        ctype = types.get(f.type, f.type.lower())
    if f.list:
        ctype += "[]"
    identity, default = False, None
    d = f.attr("default")
    if d is not None and d.args:
        v = d.args[0]
        if isinstance(v, Call):
            if v.name == "autoincrement":
                identity = True
            elif v.name == "now":
                default = "CURRENT_TIMESTAMP"
            elif v.name == "dbgenerated" and v.args:
                default = str(v.args[0])
            elif v.name == "sequence":
                identity = True
            # uuid(), cuid(), nanoid(), ulid(): generated by the client, no database default
        elif isinstance(v, bool):
            default = "TRUE" if v else "FALSE"
        elif isinstance(v, (int, float)):
            default = str(v)
        elif isinstance(v, Ident):  # an enum value
            default = f"'{v.name}'"
        elif isinstance(v, str):
            default = "'" + v.replace("'", "''") + "'"
        elif isinstance(v, list):
            default = "ARRAY[" + ", ".join(f"'{x}'" if isinstance(x, str) else _s(x) for x in v) + "]"
    return ctype, identity, default


def _implicit_many_to_many(schema: Schema, models: dict[str, Block], by_model: dict[str, Table],
                           unenforced: bool) -> None:
    """``posts Post[]`` on both sides without relation scalars: Prisma's join table ``_CategoryToPost``
    (columns A and B, A pointing at the model first in alphabetical order), with a primary key on (A, B)
    (Prisma 6; a unique index before) and an index on B."""
    seen = set()
    for b in models.values():
        for f in b.fields:
            if not f.list or f.type not in models:
                continue
            other = models[f.type]
            back = [x for x in other.fields if x.type == b.name and x.list]
            rel = f.attr("relation")
            rel_name = _s(rel.arg("name")) if rel is not None and rel.arg("name") is not None else None
            if not back or any((x.attr("relation") and x.attr("relation").arg("fields", None)) for x in back):
                continue
            if rel is not None and rel.arg("fields", None) is not None:
                continue
            a, z = sorted([b.name, other.name])
            name = f"_{rel_name}" if rel_name else f"_{a}To{z}"
            if name in seen:
                continue
            seen.add(name)
            ta, tz = by_model[a], by_model[z]
            if not ta.primary_key or not tz.primary_key:
                continue
            ca, cz = ta.columns.get(ta.primary_key[0]), tz.columns.get(tz.primary_key[0])
            t = Table(name, location=location(b.file, f.line))
            t.columns["A"] = Column("A", ca.type if ca else "integer", nullable=False)
            t.columns["B"] = Column("B", cz.type if cz else "integer", nullable=False)
            t.primary_key = ("A", "B")
            t.indexes.append(Index(f"{name}_AB_pkey", ("A", "B"), unique=True, primary=True))
            t.indexes.append(Index(f"{name}_B_index", ("B",)))
            t.foreign_keys.append(ForeignKey(f"{name}_A_fkey", ("A",), ta.qualname, ta.primary_key[:1],
                                             on_delete="CASCADE"))
            t.foreign_keys.append(ForeignKey(f"{name}_B_fkey", ("B",), tz.qualname, tz.primary_key[:1],
                                             on_delete="CASCADE"))
            if unenforced:
                t.extra["unenforced_foreign_keys"] = [fk.name for fk in t.foreign_keys]
            t.extra["implicit"] = "Prisma implicit many-to-many relation table"
            schema.add(t)
