"""Raw DDL: schema dumps (``schema.sql``, ``structure.sql``) and SQL migration folders, replayed in order.

One Schema per file set: each SQL migration history the migrations reader found (Prisma Migrate
without a schema.prisma beside it, Flyway, golang-migrate, dbmate, goose, numbered files; down/undo
files left out), and each folder of
other ``.sql`` files that create tables. PostgreSQL is read with its own parser (libpg_query, through
the SQL rules' tolerant splitter: a statement that does not parse is a problem, the others are still
applied); MySQL/MariaDB and SQLite with sqlglot. Later statements change earlier tables: ALTER TABLE,
CREATE/DROP INDEX, renames, drops. Names the database would choose are filled in as it would
(PostgreSQL ``users_pkey``, ``orders_user_id_fkey``, ``orders_email_key``; MySQL ``PRIMARY``,
``orders_ibfk_1``). MySQL ignores ``REFERENCES`` written inside a column definition, so does this.
"""

from __future__ import annotations

import re

from ...sources.walk import Repository
from ..model import Column, ForeignKey, Index, Schema, Table
from .common import SERIALS, add_unique, finish, location, pg_type, problem

_DDL = re.compile(r"\bcreate\s+(?:(?:global\s+|local\s+)?(?:temp|temporary|unlogged)\s+)?table\b", re.I)
_DOWN = re.compile(r"(^|[._-])(down|undo|rollback|revert)([._-]|$)|^U\d", re.I)
_MYSQL_HINT = re.compile(r"`|\bENGINE\s*=|\bAUTO_INCREMENT\b|\bunsigned\b|^\s*(?:UNIQUE\s+)?KEY\s+`?\w+`?\s*\(",
                         re.I | re.M)
_SQLITE_HINT = re.compile(r"\bAUTOINCREMENT\b|\bWITHOUT\s+ROWID\b|\bPRAGMA\b", re.I)
_SQL_TOOLS = {"Prisma Migrate", "Flyway", "golang-migrate", "dbmate", "goose"}
_FK_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def read(repo: Repository) -> list[Schema]:
    from ...sources.migrations import migrations_of

    out: list[Schema] = []
    claimed: set[str] = set()
    for h in sql_histories(migrations_of(repo).histories):
        files = [r.file for r in h.revisions]
        claimed.update(files)
        claimed.update(r.down_file for r in h.revisions if r.down_file)
        if h.tool == "Prisma Migrate" and _beside_prisma_schema(repo, h.root):
            continue  # schema.prisma is the source; what its migrations build is compared with it by MG-09
        schema = Schema(f"ddl {h.root}", dialect=h.dialect or "")
        scripts = []
        for r in h.ordered():
            if r.up_sql is None:
                problem(schema, r.file, "could not be read")
                continue
            scripts.append((r.file, r.up_sql))
        out.append(apply(schema, scripts))
    folders: dict[str, list[str]] = {}
    for rel in repo.files:
        if not rel.endswith(".sql") or rel in claimed:
            continue
        name = rel.rsplit("/", 1)[-1]
        if _DOWN.search(name[:-4]):
            continue
        text = repo.text(rel)
        if text is None or not _DDL.search(text):
            continue
        folders.setdefault(rel.rsplit("/", 1)[0] if "/" in rel else "", []).append(rel)
    for folder, files in sorted(folders.items()):
        label = files[0] if len(files) == 1 else f"{folder or '.'}/"
        out.append(apply(Schema(f"ddl {label}"), [(rel, repo.text(rel) or "") for rel in files]))
    return out


def sql_histories(histories: list) -> list:
    """The migration histories whose revisions are SQL files (replayed here, applied by the drill's source)."""
    return [h for h in histories if h.revisions and (h.tool in _SQL_TOOLS or all(r.file.endswith(".sql")
                                                                                   for r in h.revisions))]


def _beside_prisma_schema(repo: Repository, root: str) -> bool:
    parent = root.rsplit("/", 1)[0] + "/" if "/" in root else ""
    return any(f.endswith(".prisma") and f.startswith(parent) and "/" not in f[len(parent):] for f in repo.files)


def apply(schema: Schema, scripts: list[tuple[str, str]]) -> Schema:
    """Replay (file, sql) scripts in order into ``schema``; the dialect is sniffed when not set."""
    if not schema.dialect:
        text = "\n".join(sql for _, sql in scripts[:20])
        schema.dialect = "mysql" if _MYSQL_HINT.search(text) else "sqlite" if _SQLITE_HINT.search(text) \
            else "postgresql"
    if schema.dialect in ("postgresql", "postgres", "cockroachdb"):
        schema.dialect = "postgresql"
        state = _Pg(schema)
    else:
        state = _Glot(schema)
    for rel, sql in scripts:
        state.script(rel, sql)
    return finish(schema)


# -- shared bookkeeping -----------------------------------------------------------------------------

def object_name(table: str, columns: list[str] | tuple[str, ...], label: str) -> str:
    """PostgreSQL's makeObjectName: ``table_col1_col2_label`` cut to 63 bytes, shortening the longer part."""
    name1, name2 = table, "_".join(columns)
    overhead = len(label) + 1 + (1 if name2 else 0)
    avail = 63 - overhead
    while len(name1) + len(name2) > avail:
        if len(name1) > len(name2):
            name1 = name1[:-1]
        else:
            name2 = name2[:-1]
    return f"{name1}_{name2}_{label}" if name2 else f"{name1}_{label}"


class _State:
    def __init__(self, schema: Schema):
        self.schema = schema
        self.fk_counter: dict[str, int] = {}

    def table(self, name: str) -> Table | None:
        s = self.schema
        if name in s.tables:
            return s.tables[name]
        bare = name.rsplit(".", 1)[-1]
        if bare in s.tables:
            return s.tables[bare]
        if name.startswith("public."):
            return None
        return next((t for t in s.tables.values() if t.name == bare), None)

    def ref(self, name: str) -> str:
        t = self.table(name)
        return t.qualname if t is not None else name

    def drop_column(self, t: Table, col: str) -> None:
        t.columns.pop(col, None)
        t.indexes = [ix for ix in t.indexes if col not in ix.columns]
        t.foreign_keys = [fk for fk in t.foreign_keys if col not in fk.columns]
        t.uniques = [u for u in t.uniques if col not in u]
        if col in t.primary_key:
            t.primary_key = ()

    def rename_column(self, t: Table, old: str, new: str) -> None:
        if old not in t.columns:
            return
        c = t.columns.pop(old)
        c.name = new
        t.columns[new] = c

        def swap(cols):
            return tuple(new if x == old else x for x in cols)
        t.primary_key = swap(t.primary_key)
        t.uniques = [swap(u) for u in t.uniques]
        for ix in t.indexes:
            ix.columns = swap(ix.columns)
        for fk in t.foreign_keys:
            fk.columns = swap(fk.columns)
        for other in self.schema.tables.values():
            for fk in other.foreign_keys:
                if fk.ref_table == t.qualname:
                    fk.ref_columns = swap(fk.ref_columns)

    def drop_constraint(self, t: Table, name: str) -> None:
        ix = next((i for i in t.indexes if i.name == name), None)
        if ix is not None:
            t.indexes.remove(ix)
            if ix.primary:
                t.primary_key = ()
            elif ix.columns in t.uniques:
                t.uniques.remove(ix.columns)
        t.foreign_keys = [fk for fk in t.foreign_keys if fk.name != name]
        t.checks = [c for c in t.checks if not c.startswith(f"{name}:")]

    def drop_index(self, name: str) -> bool:
        bare = name.rsplit(".", 1)[-1]
        for t in self.schema.tables.values():
            for ix in t.indexes:
                if ix.name == bare:
                    t.indexes.remove(ix)
                    return True
        return False

    def rename_table(self, old: str, new: str) -> None:
        t = self.table(old)
        if t is None:
            return
        oldq = t.qualname
        del self.schema.tables[oldq]
        t.name = new
        self.schema.add(t)
        for other in self.schema.tables.values():
            for fk in other.foreign_keys:
                if fk.ref_table == oldq:
                    fk.ref_table = t.qualname


# -- PostgreSQL ------------------------------------------------------------------------------------

class _Pg(_State):
    def script(self, rel: str, sql: str) -> None:
        from ...sqlrules.postgres.parse import parse
        from ...sqlrules.source import Source

        statements, problems = parse(Source(sql, rel))
        for p in problems:
            problem(self.schema, location(rel, p.line), f"not parsed: {p.message}")
        for st in statements:
            self.rel, self.st, self._nodes = rel, st, None
            handler = getattr(self, f"_{st.kind}", None)
            if handler is not None:
                try:
                    handler(st.node)
                except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
                    problem(self.schema, location(rel, st.line), f"not understood ({type(exc).__name__}: {exc})")

    # expressions are printed by pglast from the statement re-parsed into its node objects, lazily
    def expr(self, path: tuple) -> str:
        from pglast import parse_sql
        from pglast.stream import RawStream

        if self._nodes is None:
            self._nodes = parse_sql(self.st.source.text(self.st.start, self.st.end))[0].stmt
        node = self._nodes
        for step in path:
            node = node[step] if isinstance(step, int) else getattr(node, step)
        return RawStream()(node)

    def _CreateStmt(self, n: dict) -> None:
        from ...sqlrules.postgres import nodes as pn

        name = pn.relation(n["relation"])
        if self.table(name) is not None and n.get("if_not_exists"):
            return
        rv = n["relation"]
        t = Table(rv["relname"], schema=rv.get("schemaname", ""), location=location(self.rel, self.st.line))
        t.partitioned = bool(n.get("partspec"))
        if n.get("inhRelations") or n.get("ofTypename"):
            t.extra["inherits"] = True
        self.schema.add(t)
        for i, e in enumerate(n.get("tableElts", ())):
            if "ColumnDef" in e:
                self.column(t, e["ColumnDef"], ("tableElts", i))
            elif "Constraint" in e:
                self.constraint(t, e["Constraint"], ("tableElts", i))
            elif "TableLikeClause" in e:
                problem(self.schema, location(self.rel, self.st.line),
                        f"CREATE TABLE {name} (LIKE ...): the copied columns are not read")

    def column(self, t: Table, cd: dict, path: tuple) -> None:
        from ...sqlrules.postgres import nodes as pn

        tn = cd.get("typeName", {})
        raw = pn.type_name(tn)
        col = Column(cd["colname"], pg_type(raw, pn.type_mods(tn), bool(tn.get("arrayBounds"))), nullable=True)
        if raw in SERIALS:
            col.identity, col.nullable = True, False
        t.columns[col.name] = col
        for j, c in enumerate(cd.get("constraints", ())):
            con = c.get("Constraint")
            if con is None:
                continue
            kind = pn.contype(con)
            if kind == "NOTNULL":
                col.nullable = False
            elif kind == "NULL":
                col.nullable = True
            elif kind == "DEFAULT":
                col.default = self.expr((*path, "constraints", j, "raw_expr"))
                col.identity = col.identity or col.default.lower().startswith("nextval(")
            elif kind == "IDENTITY":
                col.identity, col.nullable = True, False
            else:
                con = dict(con)
                con.setdefault("keys", [{"String": {"sval": col.name}}])
                if kind == "FOREIGN":
                    con.setdefault("fk_attrs", [{"String": {"sval": col.name}}])
                self.constraint(t, con, (*path, "constraints", j))

    def constraint(self, t: Table, con: dict, path: tuple) -> None:
        from ...sqlrules.postgres import nodes as pn

        kind = pn.contype(con)
        name = con.get("conname", "")
        if kind == "PRIMARY":
            t.primary_key = tuple(pn.strings(con.get("keys")))
            for c in t.primary_key:
                if c in t.columns:
                    t.columns[c].nullable = False
            t.indexes.insert(0, Index(name or f"{t.name}_pkey", t.primary_key, unique=True, primary=True))
        elif kind == "UNIQUE":
            cols = tuple(pn.strings(con.get("keys")))
            add_unique(t, cols, name or object_name(t.name, cols, "key"))
        elif kind == "FOREIGN":
            cols = tuple(pn.strings(con.get("fk_attrs")))
            target = pn.relation(con.get("pktable"))
            refs = tuple(pn.strings(con.get("pk_attrs")))
            if not refs:
                tt = self.table(target)
                refs = tuple(tt.primary_key) if tt is not None else ()
            t.foreign_keys.append(ForeignKey(name or object_name(t.name, cols, "fkey"), cols, self.ref(target), refs,
                                             validated=not con.get("skip_validation"),
                                             on_delete=_FK_ACTIONS.get(con.get("fk_del_action", "a"), "")))
        elif kind == "CHECK":
            text = self.expr((*path, "raw_expr"))
            t.checks.append(f"{name}: {text}" if name else text)
        elif kind == "EXCLUSION":
            t.indexes.append(Index(name or f"{t.name}_excl", (), method=con.get("access_method", "gist")))

    def _IndexStmt(self, n: dict) -> None:
        from ...sqlrules.postgres import nodes as pn

        t = self.table(pn.relation(n["relation"]))
        if t is None:
            return
        cols = []
        for i, p in enumerate(n.get("indexParams", ())):
            el = p["IndexElem"]
            cols.append(el["name"] if el.get("name") else self.expr(("indexParams", i, "expr")))
        name = n.get("idxname") or object_name(t.name, [c if re.fullmatch(r"\w+", c) else "expr" for c in cols],
                                                "key" if n.get("unique") else "idx")
        if n.get("if_not_exists") and any(ix.name == name for ix in t.indexes):
            return
        t.indexes.append(Index(name, tuple(cols), unique=bool(n.get("unique")), primary=bool(n.get("primary")),
                               predicate=self.expr(("whereClause",)) if n.get("whereClause") else "",
                               method=n.get("accessMethod", "btree")))

    def _AlterTableStmt(self, n: dict) -> None:
        from ...sqlrules.postgres import nodes as pn

        if n.get("objtype", "OBJECT_TABLE") != "OBJECT_TABLE":
            return
        t = self.table(pn.relation(n["relation"]))
        if t is None:
            return
        for i, c in enumerate(n.get("cmds", ())):
            cmd = c["AlterTableCmd"]
            sub = pn.subtype(cmd)
            path = ("cmds", i)
            col = t.columns.get(cmd.get("name", ""))
            if sub == "AddColumn":
                self.column(t, cmd["def"]["ColumnDef"], (*path, "def"))
            elif sub == "DropColumn":
                self.drop_column(t, cmd["name"])
            elif sub == "AddConstraint":
                con = cmd["def"]["Constraint"]
                if con.get("indexname"):  # ADD CONSTRAINT ... USING INDEX: the index becomes the constraint's
                    ix = next((x for x in t.indexes if x.name == con["indexname"]), None)
                    if ix is not None:
                        t.indexes.remove(ix)
                        con = dict(con, keys=[{"String": {"sval": x}} for x in ix.columns])
                        con.setdefault("conname", ix.name)
                self.constraint(t, con, (*path, "def"))
            elif sub == "DropConstraint":
                self.drop_constraint(t, cmd["name"])
            elif sub == "ValidateConstraint":
                for fk in t.foreign_keys:
                    if fk.name == cmd["name"]:
                        fk.validated = True
            elif col is None:
                continue
            elif sub == "AlterColumnType":
                tn = cmd["def"]["ColumnDef"]["typeName"]
                col.type = pg_type(pn.type_name(tn), pn.type_mods(tn), bool(tn.get("arrayBounds")))
            elif sub == "SetNotNull":
                col.nullable = False
            elif sub == "DropNotNull":
                col.nullable = True
            elif sub == "ColumnDefault":
                col.default = self.expr((*path, "def")) if cmd.get("def") else None
                if col.default and col.default.lower().startswith("nextval("):
                    col.identity = True
            elif sub in ("AddIdentity", "SetIdentity"):
                col.identity = True
            elif sub == "DropIdentity":
                col.identity = False

    def _RenameStmt(self, n: dict) -> None:
        from ...sqlrules.postgres import nodes as pn

        kind = n.get("renameType", "")
        if kind == "OBJECT_TABLE":
            self.rename_table(pn.relation(n["relation"]), n["newname"])
        elif kind == "OBJECT_COLUMN":
            t = self.table(pn.relation(n["relation"]))
            if t is not None:
                self.rename_column(t, n["subname"], n["newname"])
        elif kind == "OBJECT_INDEX":
            old = n["relation"]["relname"]
            for t in self.schema.tables.values():
                for ix in t.indexes:
                    if ix.name == old:
                        ix.name = n["newname"]
        elif kind == "OBJECT_TABCONSTRAINT":
            t = self.table(pn.relation(n["relation"]))
            if t is not None:
                for obj in (*t.indexes, *t.foreign_keys):
                    if obj.name == n["subname"]:
                        obj.name = n["newname"]

    def _DropStmt(self, n: dict) -> None:
        from ...sqlrules.postgres import nodes as pn

        kind = n.get("removeType", "")
        for name in pn.drop_object_names(n):
            if kind == "OBJECT_TABLE":
                t = self.table(name)
                if t is not None:
                    del self.schema.tables[t.qualname]
            elif kind == "OBJECT_INDEX":
                self.drop_index(name)

    def _CommentStmt(self, n: dict) -> None:
        from ...sqlrules.postgres import nodes as pn

        kind, text = n.get("objtype", ""), n.get("comment", "")
        names = pn.drop_object_names({"objects": [n.get("object")]}) if n.get("object") else []
        if not names:
            return
        if kind == "OBJECT_TABLE" and (t := self.table(names[0])) is not None:
            t.comment = text
        elif kind == "OBJECT_COLUMN" and "." in names[0]:
            tname, cname = names[0].rsplit(".", 1)
            t = self.table(tname)
            if t is not None and cname in t.columns:
                t.columns[cname].comment = text


# -- MySQL / MariaDB / SQLite (sqlglot) -------------------------------------------------------------

class _Glot(_State):
    def script(self, rel: str, sql: str) -> None:
        from sqlglot import exp

        if self.schema.dialect == "sqlite":
            statements = self._sqlite(rel, sql)
        else:
            from ...sqlrules.mysql.parse import parse
            from ...sqlrules.source import Source

            parsed, problems = parse(Source(sql, rel))
            for p in problems:
                if p.kind == "syntax" or _DDL.search(p.statement):
                    problem(self.schema, location(rel, p.line), f"not parsed: {p.message}")
            statements = [(s.line, s.node) for s in parsed]
        for line, node in statements:
            self.rel, self.line = rel, line
            try:
                if isinstance(node, exp.Create) and str(node.args.get("kind", "")).upper() == "TABLE":
                    self.create(node)
                elif isinstance(node, exp.Create) and str(node.args.get("kind", "")).upper() == "INDEX":
                    self.create_index(node)
                elif isinstance(node, exp.Alter):
                    self.alter(node)
                elif isinstance(node, exp.Drop) and str(node.args.get("kind", "")).upper() == "TABLE":
                    for tbl in node.find_all(exp.Table):
                        t = self.table(tbl.name)
                        if t is not None:
                            del self.schema.tables[t.qualname]
                elif isinstance(node, exp.Drop) and str(node.args.get("kind", "")).upper() == "INDEX":
                    self.drop_index(node.this.name)
            except (AttributeError, KeyError, TypeError, ValueError, IndexError) as exc:
                problem(self.schema, location(rel, line), f"not understood ({type(exc).__name__}: {exc})")

    def _sqlite(self, rel: str, sql: str) -> list:
        import sqlglot
        from sqlglot.errors import ParseError, TokenError

        out = []
        # cut at semicolons outside quotes and comments, one statement at a time
        pieces = re.split(r";\s*(?=(?:[^'\"]*['\"][^'\"]*['\"])*[^'\"]*$)", sql)
        line = 1
        for piece in pieces:
            body = piece.strip()
            first = line + piece[:len(piece) - len(piece.lstrip())].count("\n")
            line += piece.count("\n")
            if not re.sub(r"--[^\n]*", "", body).strip():
                continue
            try:
                out += [(first, e) for e in sqlglot.parse(body, read="sqlite") if e is not None]
            except (ParseError, TokenError) as exc:
                problem(self.schema, location(rel, first), f"not parsed: {str(exc).splitlines()[0]}")
        return out

    def _type(self, dt) -> str:
        return re.sub(r",\s+", ",", dt.sql(dialect=self._d()).lower()) if dt is not None else ""

    def _d(self) -> str:
        return "sqlite" if self.schema.dialect == "sqlite" else "mysql"

    def create(self, node) -> None:
        from sqlglot import exp

        target = node.this
        tbl = target.this if isinstance(target, exp.Schema) else target
        if self.table(tbl.name) is not None and node.args.get("exists"):
            return
        t = Table(tbl.name, schema=tbl.db or "", location=location(self.rel, self.line))
        self.schema.add(t)
        for e in target.expressions if isinstance(target, exp.Schema) else ():
            if isinstance(e, exp.ColumnDef):
                self.column(t, e)
            else:
                self.constraint(t, e)
        props = node.args.get("properties")
        for p in props.expressions if props else ():
            if isinstance(p, exp.EngineProperty):
                t.engine = p.this.name if hasattr(p.this, "name") else str(p.this)

    def column(self, t: Table, cd) -> None:
        from sqlglot import exp

        col = Column(cd.this.name, self._type(cd.args.get("kind")), nullable=True)
        t.columns[col.name] = col
        for cc in cd.args.get("constraints") or ():
            k = cc.args.get("kind")
            if isinstance(k, exp.NotNullColumnConstraint):
                col.nullable = bool(k.args.get("allow_null"))
            elif isinstance(k, exp.PrimaryKeyColumnConstraint):
                t.primary_key = (col.name,)
                col.nullable = False
            elif isinstance(k, exp.AutoIncrementColumnConstraint):
                col.identity = True
            elif isinstance(k, exp.DefaultColumnConstraint) and not isinstance(k.this, exp.Null):
                col.default = "CURRENT_TIMESTAMP" if isinstance(k.this, exp.CurrentTimestamp) \
                    else k.this.sql(dialect=self._d())
            elif isinstance(k, exp.UniqueColumnConstraint):
                add_unique(t, (col.name,), self._unique_name(t, (col.name,)))
            elif isinstance(k, exp.Reference) and self.schema.dialect == "sqlite":
                self.reference(t, (col.name,), k, "")
            elif isinstance(k, exp.CommentColumnConstraint):
                col.comment = k.this.name
        if col.identity and self.schema.dialect == "sqlite" and col.name in t.primary_key:
            col.nullable = False

    def _unique_name(self, t: Table, cols: tuple[str, ...]) -> str:
        if self.schema.dialect == "sqlite":
            return f"sqlite_autoindex_{t.name}_{len(t.uniques) + 1}"
        base, n = cols[0], 2
        name = base
        while any(ix.name == name for ix in t.indexes):
            name, n = f"{base}_{n}", n + 1
        return name

    def reference(self, t: Table, cols: tuple[str, ...], ref, name: str) -> None:
        from sqlglot import exp

        sch = ref.this
        target = sch.this.name if isinstance(sch, exp.Schema) else sch.name
        refs = tuple(i.name for i in sch.expressions) if isinstance(sch, exp.Schema) else ()
        if not refs and (tt := self.table(target)) is not None:
            refs = tuple(tt.primary_key)
        on_delete = ""
        for opt in ref.args.get("options") or ():
            m = re.match(r"ON DELETE (.+)", str(opt), re.I)
            if m:
                on_delete = m.group(1).upper()
        if not name:
            n = self.fk_counter[t.name] = self.fk_counter.get(t.name, 0) + 1
            name = f"{t.name}_ibfk_{n}" if self.schema.dialect != "sqlite" else ""
        t.foreign_keys.append(ForeignKey(name, cols, self.ref(target), refs, on_delete=on_delete))

    def _cols(self, exprs) -> tuple[str, ...]:
        from sqlglot import exp

        out = []
        for e in exprs or ():
            e = e.this if isinstance(e, exp.Ordered) else e
            out.append(e.name if isinstance(e, (exp.Column, exp.Identifier)) else e.sql(dialect=self._d()))
        return tuple(out)

    def constraint(self, t: Table, e, name: str = "") -> None:
        from sqlglot import exp

        if isinstance(e, exp.Constraint):
            for inner in e.expressions:
                self.constraint(t, inner, e.this.name)
        elif isinstance(e, exp.PrimaryKey):
            t.primary_key = self._cols(e.expressions)
            for c in t.primary_key:
                if c in t.columns:
                    t.columns[c].nullable = False
        elif isinstance(e, exp.UniqueColumnConstraint):
            sch = e.this
            cols = self._cols(sch.expressions) if isinstance(sch, exp.Schema) else ()
            iname = (sch.this.name if isinstance(sch, exp.Schema) and sch.this is not None else "") or name
            add_unique(t, cols, iname or self._unique_name(t, cols))
        elif isinstance(e, exp.IndexColumnConstraint):
            cols = self._cols(e.expressions)
            kind = str(e.args.get("kind") or "").upper()
            iname = e.this.name if e.this is not None else self._unique_name(t, cols)
            if kind == "UNIQUE":
                add_unique(t, cols, iname)
            else:
                t.indexes.append(Index(iname, cols, method="fulltext" if kind == "FULLTEXT" else "btree"))
        elif isinstance(e, exp.ForeignKey):
            self.reference(t, self._cols(e.expressions), e.args["reference"], name)
        elif isinstance(e, exp.CheckColumnConstraint):
            t.checks.append(e.this.sql(dialect=self._d()))

    def create_index(self, node) -> None:
        ix = node.this
        t = self.table(ix.args["table"].name)
        if t is None:
            return
        params = ix.args.get("params")
        cols = self._cols(params.args.get("columns") if params else ())
        where = params.args.get("where") if params else None
        t.indexes.append(Index(ix.this.name, cols, unique=bool(node.args.get("unique")),
                               predicate=where.this.sql(dialect=self._d()) if where is not None else ""))

    def alter(self, node) -> None:
        from sqlglot import exp

        t = self.table(node.this.name)
        if t is None:
            return
        for a in node.args.get("actions") or ():
            if isinstance(a, exp.ColumnDef):
                self.column(t, a)
            elif isinstance(a, exp.AddConstraint):
                for e in a.expressions:
                    self.constraint(t, e)
            elif isinstance(a, exp.Drop) and str(a.args.get("kind", "")).upper() == "COLUMN":
                self.drop_column(t, a.this.name)
            elif isinstance(a, exp.Drop) and str(a.args.get("kind", "")).upper() in ("INDEX", "KEY"):
                self.drop_index(a.this.name)
            elif isinstance(a, exp.Drop) and str(a.args.get("kind", "")).upper() in ("FOREIGN KEY", "CONSTRAINT"):
                self.drop_constraint(t, a.this.name)
            elif isinstance(a, exp.AlterColumn) and a.args.get("dtype") is not None and a.this.name in t.columns:
                t.columns[a.this.name].type = self._type(a.args["dtype"])
            elif isinstance(a, exp.AlterRename):
                self.rename_table(t.qualname, a.this.name)
            elif isinstance(a, exp.RenameColumn):
                self.rename_column(t, a.this.name, a.args["to"].name)
