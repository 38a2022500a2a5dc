"""TypeORM entities (``@Entity`` classes in ``.ts``/``.js`` files): one Schema for the repository.

Read with the JS tokenizer the migrations reader uses (strings, templates, comments, regexes set
aside; brackets matched), then the decorators are interpreted: ``@Entity('name')`` (else the class
name in snake_case, TypeORM's default naming strategy), ``@PrimaryGeneratedColumn`` (identity;
``'uuid'``), ``@PrimaryColumn``, ``@Column({type, length, precision, scale, nullable, unique, default,
name})``, ``@CreateDateColumn``/``@UpdateDateColumn``/``@DeleteDateColumn``/``@VersionColumn``,
``@ManyToOne``/``@OneToOne`` + ``@JoinColumn`` (the ``<property>Id`` column, nullable unless
``nullable: false``, a foreign key and no index: TypeORM creates none on PostgreSQL),
``@ManyToMany`` + ``@JoinTable`` (the junction table: composite key, an index per side, two FKs),
``@Index`` and ``@Unique`` on properties and classes. Constraint names are TypeORM's hashed ones
(``PK_<sha1>``, ``FK_``, ``IDX_``, ``UQ_``). Columns of base classes defined in the repository are
inherited. Types without an explicit ``type`` come from the TypeScript type (string -> character
varying, number -> integer, boolean, Date -> timestamp without time zone).
"""

from __future__ import annotations

import hashlib
import re

from ...sources.migrations.js import _JsSyntax, _matching, _Tok, _tokens
from ...sources.walk import Repository
from ..model import Column, ForeignKey, Index, Schema, Table
from .common import finish, location, pg_type, problem, snake, source_label

_SKIP = re.compile(r"\.(d|test|spec)\.[cm]?[jt]s$|(^|/)(migrations?|__tests__|test|tests)/")
_TS_TYPES = {"string": "varchar", "number": "integer", "boolean": "boolean", "Date": "timestamp without time zone",
             "bigint": "bigint", "object": "json", "Buffer": "bytea"}
_ORM_TYPES = {"int": "integer", "int4": "integer", "integer": "integer", "int8": "bigint", "bigint": "bigint",
              "int2": "smallint", "smallint": "smallint", "varchar": "varchar", "character varying": "varchar",
              "text": "text", "uuid": "uuid", "boolean": "boolean", "bool": "boolean", "json": "json",
              "jsonb": "jsonb", "float": "double precision", "double": "double precision",
              "double precision": "double precision", "float8": "double precision", "float4": "real",
              "real": "real", "decimal": "numeric", "numeric": "numeric", "money": "money", "date": "date",
              "timestamp": "timestamp", "timestamp without time zone": "timestamp",
              "timestamptz": "timestamptz", "timestamp with time zone": "timestamptz", "time": "time",
              "simple-json": "text", "simple-array": "text", "enum": "enum", "bytea": "bytea", "char": "char",
              "datetime": "timestamp", "citext": "citext", "inet": "inet", "interval": "interval"}


def _sha1(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()


def _key(table: str, columns) -> str:
    return f"{table.replace('.', '_')}_{'_'.join(sorted(columns))}"


def pk_name(table: str, columns) -> str:
    return "PK_" + _sha1(_key(table, columns))[:27]


def fk_name(table: str, columns) -> str:
    return "FK_" + _sha1(_key(table, columns))[:27]


def uq_name(table: str, columns) -> str:
    return "UQ_" + _sha1(_key(table, columns))[:27]


def idx_name(table: str, columns, where: str = "") -> str:
    key = _key(table, columns) + (f"_{where}" if where else "")
    return "IDX_" + _sha1(key)[:26]


def _camel(s: str) -> str:
    """TypeORM's camelCase(): ``user_id`` -> ``userId``."""
    return re.sub(r"^([A-Z])|[\s\-_]+(\w)", lambda m: (m.group(1) or "").lower() + (m.group(2) or "").upper(), s)


class _Value:
    """A JS literal read from tokens: str, int/float, bool, None, list, dict, or an _Expr for anything else."""


class _Expr(str):
    pass


def _value(toks: list[_Tok], pairs: dict[int, int], i: int, end: int):
    """The literal at ``toks[i]`` (object, array, string, number, boolean, arrow function text)."""
    t = toks[i]
    if t.kind == "str":
        return t.text
    if t.kind == "num":
        try:
            return int(t.text) if t.text.isdigit() else float(t.text)
        except ValueError:
            return _Expr(t.text)
    if t.kind == "id" and t.text in ("true", "false"):
        return t.text == "true"
    if t.kind == "id" and t.text in ("null", "undefined"):
        return None
    if t.kind == "punct" and t.text == "{":
        out, j, close = {}, i + 1, pairs[i]
        while j < close:
            k = toks[j]
            if k.text == ",":
                j += 1
                continue
            key = k.text
            if j + 1 < close and toks[j + 1].text == ":":
                vend = _item_end(toks, pairs, j + 2, close)
                out[key] = _value(toks, pairs, j + 2, vend) if vend > j + 2 else None
                if vend - (j + 2) > 1 and not isinstance(out[key], (dict, list)):
                    out[key] = _Expr(" ".join(x.text for x in toks[j + 2:vend]))
                j = vend
            else:
                j = _item_end(toks, pairs, j, close)
        return out
    if t.kind == "punct" and t.text == "[":
        items, j, close = [], i + 1, pairs[i]
        while j < close:
            if toks[j].text == ",":
                j += 1
                continue
            vend = _item_end(toks, pairs, j, close)
            items.append(_value(toks, pairs, j, vend))
            j = vend
        return items
    return _Expr(" ".join(x.text for x in toks[i:end]))


def _item_end(toks: list[_Tok], pairs: dict[int, int], j: int, close: int) -> int:
    while j < close and toks[j].text != ",":
        j = pairs[j] + 1 if toks[j].text in "([{" and toks[j].kind == "punct" else j + 1
    return j


def _args(toks: list[_Tok], pairs: dict[int, int], lparen: int) -> list:
    out, j, close = [], lparen + 1, pairs[lparen]
    while j < close:
        if toks[j].text == ",":
            j += 1
            continue
        end = _item_end(toks, pairs, j, close)
        # arrow functions `() => User`, `(u) => u.orders`: keep the text, the target is read from it
        if any(toks[k].text == "=>" for k in range(j, end)):
            out.append(_Expr(" ".join(x.text for x in toks[j:end])))
        else:
            out.append(_value(toks, pairs, j, end))
        j = end
    return out


class _Deco:
    def __init__(self, name: str, args: list, line: int):
        self.name, self.args, self.line = name, args, line

    def opts(self) -> dict:
        return next((a for a in self.args if isinstance(a, dict)), {})


class _Class:
    def __init__(self, name: str, base: str, decos: list[_Deco], props: list, rel: str, line: int):
        self.name, self.base, self.decos, self.props, self.rel, self.line = name, base, decos, props, rel, line

    def deco(self, name: str) -> _Deco | None:
        return next((d for d in self.decos if d.name == name), None)


def _decorator(toks: list[_Tok], pairs: dict[int, int], i: int) -> tuple[_Deco, int]:
    """``@Name(...)`` at toks[i] == '@' -> the decorator and the index after it."""
    name = toks[i + 1].text
    j = i + 2
    while j + 1 < len(toks) and toks[j].text == "." and toks[j + 1].kind == "id":  # @typeorm.Column
        name, j = toks[j + 1].text, j + 2
    args = []
    if j < len(toks) and toks[j].text == "(":
        args = _args(toks, pairs, j)
        j = pairs[j] + 1
    return _Deco(name, args, toks[i].line), j


def _classes(toks: list[_Tok], pairs: dict[int, int], rel: str) -> list[_Class]:
    out, pending, i = [], [], 0
    while i < len(toks):
        t = toks[i]
        if t.text == "@" and t.kind == "punct" and i + 1 < len(toks) and toks[i + 1].kind == "id":
            d, i = _decorator(toks, pairs, i)
            pending.append(d)
            continue
        if t.kind == "id" and t.text == "class" and i + 1 < len(toks) and toks[i + 1].kind == "id":
            name, j, base = toks[i + 1].text, i + 2, ""
            while j < len(toks) and toks[j].text != "{":
                if toks[j].text == "extends" and j + 1 < len(toks):
                    base = toks[j + 1].text
                j += 1
            if j >= len(toks):
                break
            body_end = pairs[j]
            out.append(_Class(name, base, pending, _properties(toks, pairs, j + 1, body_end), rel, t.line))
            pending, i = [], body_end + 1
            continue
        if t.kind == "id" and t.text not in ("export", "default", "abstract", "declare"):
            pending = []
        i += 1
    return out


def _properties(toks: list[_Tok], pairs: dict[int, int], i: int, end: int) -> list:
    """(name, TS type text, optional, decorators, line) of each decorated property of a class body."""
    out, pending = [], []
    while i < end:
        t = toks[i]
        if t.text == "@" and t.kind == "punct":
            d, i = _decorator(toks, pairs, i)
            pending.append(d)
            continue
        if t.kind == "id" and pending:
            j = i
            while j < end and toks[j].text in ("public", "private", "protected", "readonly", "declare", "static"):
                j += 1
            name = toks[j].text
            j += 1
            optional = False
            if j < end and toks[j].text in ("?", "!"):
                optional = toks[j].text == "?"
                j += 1
            ts_type = ""
            if j < end and toks[j].text == ":":
                k = j + 1
                parts = []
                while k < end and toks[k].text not in (";", "=") and not (toks[k].text == "@" and toks[k].kind ==
                                                                          "punct"):
                    if toks[k].line != toks[j].line and parts and toks[k].kind == "id" and toks[k - 1].text not in (
                            "|", "<", ",", "&"):
                        break
                    if toks[k].text in "([{" and toks[k].kind == "punct":
                        parts.append(" ".join(x.text for x in toks[k:pairs[k] + 1]))
                        k = pairs[k] + 1
                        continue
                    parts.append(toks[k].text)
                    k += 1
                ts_type = " ".join(parts)
                j = k
            out.append((name, ts_type, optional, pending, t.line))
            pending = []
            while j < end and toks[j].text not in (";",) and not (toks[j].text == "@" and toks[j].kind == "punct"):
                if toks[j].text in "([{" and toks[j].kind == "punct":
                    j = pairs[j] + 1
                    continue
                if toks[j].kind == "id" and toks[j].line != t.line and toks[j - 1].text not in ("=", "|", ",", ":"):
                    break
                j += 1
            i = j + 1 if j < end and toks[j].text == ";" else j
            continue
        if t.text in "([{" and t.kind == "punct":  # methods, constructors: skip their bodies
            i = pairs[i] + 1
            pending = []
            continue
        i += 1
    return out


def read(repo: Repository) -> list[Schema]:
    classes: dict[str, _Class] = {}
    files, schema = [], Schema("typeorm")
    for rel in repo.files:
        if not re.search(r"\.[cm]?[jt]s$", rel) or _SKIP.search(rel):
            continue
        text = repo.text(rel)
        if not text or "typeorm" not in text or ("@Entity" not in text and "Column(" not in text):
            continue  # entities, and base classes whose columns entities inherit
        files.append(rel)
        try:
            toks = _tokens(text)
            pairs = _matching(toks)
        except _JsSyntax as exc:
            problem(schema, location(rel, exc.line), f"not read: {exc}")
            continue
        except (KeyError, IndexError) as exc:
            problem(schema, rel, f"not read: {exc}")
            continue
        try:
            for c in _classes(toks, pairs, rel):
                classes.setdefault(c.name, c)
        except (KeyError, IndexError) as exc:
            problem(schema, rel, f"not read: {type(exc).__name__}")
    if not files:
        return []
    schema.source = source_label("typeorm", files)
    schema.dialect = _dialect(repo)
    _Builder(schema, classes).build()
    return [finish(schema)]


def _dialect(repo: Repository) -> str:
    found = set()
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if not re.match(r"(ormconfig|data-source|datasource|database|typeorm\.config|app\.module)\b", name):
            continue
        for m in re.finditer(r"\btype\s*:\s*[\"'](\w+)[\"']", repo.text(rel) or ""):
            d = {"postgres": "postgresql", "cockroachdb": "postgresql", "mysql": "mysql", "mariadb": "mariadb",
                 "sqlite": "sqlite", "better-sqlite3": "sqlite"}.get(m.group(1))
            if d:
                found.add(d)
    return found.pop() if len(found) == 1 else ""


class _Builder:
    def __init__(self, schema: Schema, classes: dict[str, _Class]):
        self.schema, self.classes = schema, classes
        self.tables: dict[str, Table] = {}

    def table_name(self, c: _Class) -> str:
        d = c.deco("Entity")
        arg = d.args[0] if d and d.args else None
        if isinstance(arg, str):
            return arg
        if isinstance(arg, dict) and isinstance(arg.get("name"), str):
            return arg["name"]
        return snake(c.name)

    def props(self, c: _Class, depth: int = 0) -> list:
        base = self.classes.get(c.base)
        inherited = self.props(base, depth + 1) if base is not None and depth < 10 else []
        own = {p[0] for p in c.props}
        return [p for p in inherited if p[0] not in own] + c.props

    def build(self) -> None:
        entities = [c for c in self.classes.values() if c.deco("Entity")]
        for c in entities:
            self.tables[c.name] = Table(self.table_name(c), location=location(c.rel, c.line))
        for c in entities:
            self.columns(c, self.tables[c.name])
        for c in entities:
            self.relations(c, self.tables[c.name])
            self.class_indexes(c, self.tables[c.name])
        for t in self.tables.values():
            self.schema.add(t)

    def col_type(self, opts: dict, ts_type: str, deco: _Deco) -> str:
        explicit = opts.get("type")
        first = deco.args[0] if deco.args and isinstance(deco.args[0], str) else None
        if explicit is None and first is not None:
            explicit = first
        if isinstance(explicit, str):
            base = _ORM_TYPES.get(explicit.lower(), explicit.lower())
        else:
            ts = ts_type.replace(" | null", "").replace("null | ", "").strip()
            base = _TS_TYPES.get(ts, "varchar" if ts.startswith(("'", '"')) else "")
            if not base:
                base = "enum" if "enum" in opts else ts.lower() or "unknown"
        if base == "varchar" and opts.get("length"):
            return f"varchar({opts['length']})"
        if base == "numeric" and opts.get("precision"):
            return f"numeric({opts['precision']},{opts.get('scale', 0)})"
        if base in ("timestamp", "timestamptz", "time"):
            return pg_type(base, [opts["precision"]] if isinstance(opts.get("precision"), int) else [])
        return base

    def columns(self, c: _Class, t: Table) -> None:
        for name, ts_type, optional, decos, line in self.props(c):
            for d in decos:
                opts = d.opts()
                col_name = opts.get("name") if isinstance(opts.get("name"), str) else name
                if d.name == "PrimaryGeneratedColumn":
                    strategy = d.args[0] if d.args and isinstance(d.args[0], str) else "increment"
                    ctype = "uuid" if strategy == "uuid" else _ORM_TYPES.get(str(opts.get("type", "int")), "integer")
                    t.columns[col_name] = Column(col_name, ctype, nullable=False, identity=strategy != "uuid",
                                                 default="uuid_generate_v4()" if strategy == "uuid" else None)
                    t.primary_key = (*t.primary_key, col_name)
                elif d.name == "PrimaryColumn":
                    t.columns[col_name] = Column(col_name, self.col_type(opts, ts_type, d), nullable=False)
                    t.primary_key = (*t.primary_key, col_name)
                elif d.name in ("Column", "CreateDateColumn", "UpdateDateColumn", "DeleteDateColumn",
                                "VersionColumn"):
                    if d.name == "Column":
                        ctype = self.col_type(opts, ts_type, d)
                    elif d.name == "VersionColumn":
                        ctype = "integer"
                    else:
                        ctype = self.col_type(opts, "Date", d) if "type" in opts else "timestamp without time zone"
                    nullable = opts.get("nullable") is True or d.name == "DeleteDateColumn"
                    default = opts.get("default")
                    if d.name in ("CreateDateColumn", "UpdateDateColumn") and default is None:
                        default = _Expr("now()")
                    t.columns[col_name] = Column(col_name, ctype + ("[]" if opts.get("array") else ""),
                                                 nullable=nullable, default=_default(default),
                                                 comment=opts.get("comment") if isinstance(opts.get("comment"), str)
                                                 else "")
                    if opts.get("primary") is True:
                        t.primary_key = (*t.primary_key, col_name)
                        t.columns[col_name].nullable = False
                    if opts.get("unique") is True:
                        t.uniques.append((col_name,))
                        t.indexes.append(Index(uq_name(t.name, [col_name]), (col_name,), unique=True))
            for d in decos:
                if d.name == "Index" and name in t.columns:
                    opts = d.opts()
                    iname = d.args[0] if d.args and isinstance(d.args[0], str) else idx_name(t.name, [name])
                    t.indexes.append(Index(iname, (name,), unique=opts.get("unique") is True))
        if t.primary_key:
            t.indexes.insert(0, Index(pk_name(t.name, t.primary_key), t.primary_key, unique=True, primary=True))

    def _target(self, d: _Deco) -> _Class | None:
        arg = d.args[0] if d.args else None
        if isinstance(arg, str) and not isinstance(arg, _Expr):
            return self.classes.get(arg) or next((c for c in self.classes.values()
                                                  if self.table_name(c) == arg), None)
        if isinstance(arg, _Expr):
            name = arg.split("=>")[-1].strip().strip("()").strip()
            return self.classes.get(name)
        return None

    def relations(self, c: _Class, t: Table) -> None:
        for name, ts_type, optional, decos, line in self.props(c):
            rel = next((d for d in decos if d.name in ("ManyToOne", "OneToOne", "ManyToMany")), None)
            if rel is None:
                continue
            target = self._target(rel)
            if target is None or target.name not in self.tables:
                problem(self.schema, location(c.rel, line), f"{c.name}.{name}: relation target not found")
                continue
            tt = self.tables[target.name]
            opts = rel.opts()
            if rel.name == "ManyToMany":
                jt = next((d for d in decos if d.name == "JoinTable"), None)
                if jt is not None:
                    self.junction(t, tt, name, jt, c, line)
                continue
            join = next((d for d in decos if d.name == "JoinColumn"), None)
            if rel.name == "OneToOne" and join is None:
                continue  # the inverse side: the column lives on the other table
            jopts = join.opts() if join else {}
            ref_col = jopts.get("referencedColumnName") if isinstance(jopts.get("referencedColumnName"), str) \
                else (tt.primary_key[0] if tt.primary_key else "id")
            col = jopts.get("name") if isinstance(jopts.get("name"), str) else _camel(f"{name}_{ref_col}")
            ref = tt.columns.get(ref_col)
            rtype = {"serial": "integer"}.get(ref.type, ref.type) if ref else "integer"
            if col not in t.columns:
                t.columns[col] = Column(col, rtype, nullable=opts.get("nullable") is not False)
            elif opts.get("nullable") is False:
                t.columns[col].nullable = False
            t.foreign_keys.append(ForeignKey(fk_name(t.name, [col]), (col,), tt.qualname, (ref_col,),
                                             on_delete=str(opts.get("onDelete") or "NO ACTION").upper()))
            if rel.name == "OneToOne":  # the join column of a one-to-one is unique
                t.uniques.append((col,))
                t.indexes.append(Index(uq_name(t.name, [col]), (col,), unique=True))

    def junction(self, t: Table, tt: Table, prop: str, jt: _Deco, c: _Class, line: int) -> None:
        opts = jt.opts()
        name = opts.get("name") if isinstance(opts.get("name"), str) else f"{t.name}_{snake(prop)}_{tt.name}"
        j = Table(name, location=location(c.rel, line))
        a_ref = t.primary_key[0] if t.primary_key else "id"
        b_ref = tt.primary_key[0] if tt.primary_key else "id"
        a = _camel(f"{t.name}_{a_ref}")
        b = _camel(f"{tt.name}_{b_ref}")
        if isinstance(opts.get("joinColumn"), dict) and isinstance(opts["joinColumn"].get("name"), str):
            a = opts["joinColumn"]["name"]
        if isinstance(opts.get("inverseJoinColumn"), dict) and isinstance(opts["inverseJoinColumn"].get("name"), str):
            b = opts["inverseJoinColumn"]["name"]
        for col, src, ref in ((a, t, a_ref), (b, tt, b_ref)):
            rc = src.columns.get(ref)
            j.columns[col] = Column(col, rc.type if rc else "integer", nullable=False)
        j.primary_key = (a, b)
        j.indexes.append(Index(pk_name(name, [a, b]), (a, b), unique=True, primary=True))
        for col, src, ref in ((a, t, a_ref), (b, tt, b_ref)):
            j.indexes.append(Index(idx_name(name, [col]), (col,)))
            j.foreign_keys.append(ForeignKey(fk_name(name, [col]), (col,), src.qualname, (ref,),
                                             on_delete="CASCADE"))
        j.extra["implicit"] = f"TypeORM junction table of {c.name}.{prop}"
        self.tables[f"{c.name}.{prop}"] = j

    def class_indexes(self, c: _Class, t: Table) -> None:
        props = {p[0]: p for p in self.props(c)}

        def column(prop: str) -> str:
            p = props.get(prop)
            if p is None:
                return prop
            for d in p[3]:
                if d.name in ("ManyToOne", "OneToOne"):
                    join = next((x for x in p[3] if x.name == "JoinColumn"), None)
                    n = join.opts().get("name") if join else None
                    return n if isinstance(n, str) else _camel(f"{prop}_id")
                n = d.opts().get("name")
                if d.name.endswith("Column") and isinstance(n, str):
                    return n
            return prop

        for d in c.decos:
            if d.name not in ("Index", "Unique"):
                continue
            name = d.args[0] if d.args and isinstance(d.args[0], str) and not isinstance(d.args[0], _Expr) else None
            cols = next((a for a in d.args if isinstance(a, list)), None)
            if cols is None:
                continue
            cols = tuple(column(str(x)) for x in cols)
            opts = d.opts()
            if d.name == "Unique":
                t.uniques.append(cols)
                t.indexes.append(Index(name or uq_name(t.name, cols), cols, unique=True))
            else:
                where = opts.get("where") if isinstance(opts.get("where"), str) else ""
                t.indexes.append(Index(name or idx_name(t.name, cols, where), cols, unique=opts.get("unique") is True,
                                       predicate=where))


def _default(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, _Expr):  # default: () => "now()": the SQL after the arrow
        return v.split("=>", 1)[1].strip() if "=>" in v else str(v)
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    return str(v)
