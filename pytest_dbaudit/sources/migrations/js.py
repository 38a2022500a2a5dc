"""JavaScript/TypeScript migrations: Knex (``<timestamp>_<name>.js|ts``, folder from ``knexfile``),
Sequelize/Umzug (``<timestamp>-<name>.js``, folder from ``.sequelizerc``) and TypeORM
(``<timestamp>-<Name>.ts`` classes implementing ``MigrationInterface``).

One history per folder and tool, chained in timestamp order. There is no JS parser in Python, so a
small tokenizer sets strings, template literals (with ``${}`` nesting), comments and regex literals
aside and matches brackets; that is enough to find the ``up``/``down`` functions (exports, object
properties, class methods), tell an empty or throwing ``down`` from a real one, and take the SQL of
``knex.raw``/``sequelize.query``/``queryRunner.query`` calls made with literal strings.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass

from ..walk import Repository
from .model import Down, History, Problem, Revision, chain, duplicates
from .model import sql_kind

_FILE = re.compile(r"^(?P<ts>\d{8,})(?P<sep>[-_])(?P<name>[^/]+?)\.(?:[cm]?js|[cm]?ts)$")
_NOT_MIGRATION = re.compile(r"\.(d|test|spec)\.[cm]?[jt]s$")
_CONFLICT = re.compile(r"^(<{7}|>{7})( |$)", re.M)
_TOOLS = ("TypeORM", "Sequelize", "Knex")
_DEPENDENCIES = {"typeorm": "TypeORM", "sequelize": "Sequelize", "sequelize-cli": "Sequelize", "umzug": "Sequelize",
                 "knex": "Knex"}
_DIALECTS = {"pg": "postgresql", "postgres": "postgresql", "postgresql": "postgresql", "cockroachdb": "postgresql",
             "mysql": "mysql", "mysql2": "mysql", "mariadb": "mariadb", "sqlite": "sqlite", "sqlite3": "sqlite",
             "better-sqlite3": "sqlite", "mssql": "mssql", "oracledb": "oracle", "oracle": "oracle"}
_SCHEMA_OPS = {
    # Knex schema builder
    "createTable", "createTableIfNotExists", "createTableLike", "dropTable", "dropTableIfExists", "alterTable",
    "renameTable", "createSchema", "createSchemaIfNotExists", "dropSchema", "dropSchemaIfExists", "createView",
    "createViewOrReplace", "createMaterializedView", "dropView", "dropViewIfExists", "dropMaterializedView",
    # Sequelize queryInterface
    "addColumn", "removeColumn", "changeColumn", "renameColumn", "addIndex", "removeIndex", "addConstraint",
    "removeConstraint", "dropAllTables", "createFunction", "dropFunction", "createTrigger", "dropTrigger",
    # TypeORM queryRunner
    "addColumns", "dropColumn", "dropColumns", "changeColumns", "createIndex", "dropIndex", "createForeignKey",
    "createForeignKeys", "dropForeignKey", "createPrimaryKey", "dropPrimaryKey", "createUniqueConstraint",
    "dropUniqueConstraint", "createCheckConstraint", "dropCheckConstraint",
}
_DATA_OPS = {"insert", "update", "del", "delete", "upsert", "batchInsert", "truncate", "bulkInsert", "bulkUpdate",
             "bulkDelete", "save", "clearTable", "increment", "decrement"}
_SQL_CALLS = {"raw", "query"}
_NOOP = {"return", "await", ";", "undefined", "null", "void", "0"}


@dataclass
class _Tok:
    kind: str  # id, str, num, punct
    text: str  # the token, or a string's value
    line: int
    interpolated: bool = False  # template literal with ${...}


class _JsSyntax(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


# -- tokens ---------------------------------------------------------------------------------------

_PUNCT = re.compile(r"=>|\.\.\.|\?\.|[-+*/%=<>!&|^~?:;,.(){}\[\]@#]")
_ID = re.compile(r"[^\W\d][\w$]*|\$[\w$]*")
_NUM = re.compile(r"\d[\w.]*")
_REGEX_BEFORE = set("(,=:[!&|?{};") | {"return", "typeof", "case", "=>", ""}


def _tokens(text: str) -> list[_Tok]:
    """Tokens of a JS/TS file; strings carry their value. Unterminated strings/comments raise."""
    out: list[_Tok] = []
    templates: list[tuple[_Tok, int, list[str]]] = []  # open template literals: (token, brace depth, parts)
    braces, i, n, line = 0, 0, len(text), 1

    def template(i: int, tok: _Tok, parts: list[str]) -> int:
        """Scan template text from i up to the closing backtick or a ${ (then resume later)."""
        nonlocal line
        start = i
        while i < n:
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == "`":
                parts.append(text[start:i])
                tok.text = "".join(parts)
                line += text.count("\n", start, i)
                return i + 1
            if text.startswith("${", i):
                parts.append(text[start:i] + "${...}")
                tok.interpolated = True
                line += text.count("\n", start, i)
                templates.append((tok, braces, parts))
                return i + 2
            i += 1
        raise _JsSyntax("unterminated template literal", tok.line)

    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise _JsSyntax("unterminated /* comment", line)
            line += text.count("\n", i, j)
            i = j + 2
        elif c in "'\"":
            j, start = i + 1, line
            while j < n and text[j] != c:
                if text[j] == "\n":
                    raise _JsSyntax("unterminated string literal", start)
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise _JsSyntax("unterminated string literal", start)
            out.append(_Tok("str", _unescape(text[i + 1:j]), start))
            i = j + 1
        elif c == "`":
            tok = _Tok("str", "", line)
            out.append(tok)
            i = template(i + 1, tok, [])
        elif c == "}" and templates and templates[-1][1] == braces:
            tok, _, parts = templates.pop()  # back into the template after ${...}
            i = template(i + 1, tok, parts)
        elif c == "/" and (out[-1].text if out else "") in _REGEX_BEFORE and (not out or out[-1].kind != "str"):
            j, in_class = i + 1, False  # a regex literal: skip it, brackets and quotes inside mean nothing
            while j < n and text[j] != "\n" and (text[j] != "/" or in_class):
                in_class = (in_class or text[j] == "[") and text[j] != "]"
                j += 2 if text[j] == "\\" else 1
            out.append(_Tok("punct", "/regex/", line))
            i = j + 1
            while i < n and text[i].isalpha():
                i += 1
        elif (m := _ID.match(text, i)) is not None:
            out.append(_Tok("id", m.group(), line))
            i = m.end()
        elif (m := _NUM.match(text, i)) is not None:
            out.append(_Tok("num", m.group(), line))
            i = m.end()
        else:
            m = _PUNCT.match(text, i)
            p = m.group() if m else c
            braces += (p == "{") - (p == "}")
            out.append(_Tok("punct", p, line))
            i += len(p)
    if templates:
        raise _JsSyntax("unterminated template literal", templates[-1][0].line)
    return out


def _unescape(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), s)


def _matching(toks: list[_Tok]) -> dict[int, int]:
    """Index of each bracket's partner; unbalanced brackets raise."""
    pairs, stack = {}, []
    closers = {")": "(", "]": "[", "}": "{"}
    for k, t in enumerate(toks):
        if t.kind != "punct":
            continue
        if t.text in "([{":
            stack.append(k)
        elif t.text in closers:
            if not stack:
                raise _JsSyntax(f"unexpected `{t.text}` with nothing open", t.line)
            if toks[stack[-1]].text != closers[t.text]:
                o = toks[stack[-1]]
                raise _JsSyntax(f"`{t.text}` closes the `{o.text}` opened at line {o.line}", t.line)
            k0 = stack.pop()
            pairs[k0], pairs[k] = k, k0
    if stack:
        t = toks[stack[-1]]
        raise _JsSyntax(f"`{t.text}` opened at line {t.line} is never closed", t.line)
    return pairs


# -- up / down functions --------------------------------------------------------------------------

@dataclass
class _Fn:
    line: int
    start: int  # first token of the body
    end: int  # one past the last
    block: bool  # { ... } body, else an expression (arrow function) or a reference


def _functions(toks: list[_Tok], pairs: dict[int, int]) -> dict[str, _Fn]:
    """``up``/``down`` as exports, exported consts/functions, object properties or class methods."""
    depth = [0] * len(toks)
    d = 0
    for k, t in enumerate(toks):
        if t.kind == "punct" and t.text == "}":
            d -= 1
        depth[k] = d
        if t.kind == "punct" and t.text == "{":
            d += 1
    found: dict[str, _Fn] = {}
    for k, t in enumerate(toks):
        if t.kind != "id" or t.text not in ("up", "down") or t.text in found:
            continue
        prev = toks[k - 1].text if k else ""
        nxt = toks[k + 1].text if k + 1 < len(toks) else ""
        value = None
        if prev == ".":
            if k >= 2 and toks[k - 2].text == "exports" and nxt == "=":  # exports.up = / module.exports.up =
                value = k + 2
        elif prev == "function" and nxt == "(":  # (export) (async) function up(...)
            fn = _after_params(toks, pairs, k + 1, t.line)
            if fn:
                found[t.text] = fn
            continue
        elif prev in ("const", "let", "var") and depth[k] == 0:
            j = k + 1
            while j < len(toks) and toks[j].text != "=" and toks[j].text != ";":  # TS annotation: up: Migration =
                j += 1
            value = j + 1 if j < len(toks) and toks[j].text == "=" else None
        elif depth[k] == 1 and prev not in ("(", "="):  # object property or class member
            if nxt == ":" or nxt == "=":
                value = k + 2
            elif nxt == "(":
                fn = _after_params(toks, pairs, k + 1, t.line)
                if fn:
                    found[t.text] = fn
                continue
        if value is not None and value < len(toks):
            found[t.text] = _value(toks, pairs, value, t.line)
    return found


def _after_params(toks: list[_Tok], pairs: dict[int, int], lparen: int, line: int) -> _Fn | None:
    """A function whose parameter list opens at ``lparen``: its { body }, past any return type."""
    j = pairs.get(lparen)
    if j is None:
        return None
    j += 1
    if j < len(toks) and toks[j].text == ":":  # TS return type: Promise<void>
        while j < len(toks) and toks[j].text not in ("{", "=>", ";"):
            j += 1
    if j < len(toks) and toks[j].text == "=>":
        return _arrow_body(toks, pairs, j + 1, line)
    if j < len(toks) and toks[j].text == "{":
        return _Fn(line, j + 1, pairs[j], True)
    return None


def _value(toks: list[_Tok], pairs: dict[int, int], j: int, line: int) -> _Fn:
    """What is assigned to up/down: a function, an arrow function, or something else (a reference)."""
    if j < len(toks) and toks[j].text == "async":
        j += 1
    if j < len(toks) and toks[j].text == "function":
        j += 1
        if j < len(toks) and toks[j].kind == "id":
            j += 1
        if j < len(toks) and toks[j].text == "(":
            fn = _after_params(toks, pairs, j, line)
            if fn:
                return fn
    elif j < len(toks) and toks[j].text == "(":
        fn = _after_params(toks, pairs, j, line)
        if fn:
            return fn
    elif j + 1 < len(toks) and toks[j].kind == "id" and toks[j + 1].text == "=>":
        return _arrow_body(toks, pairs, j + 2, line)
    return _Fn(line, j, _expression_end(toks, pairs, j), False)


def _arrow_body(toks: list[_Tok], pairs: dict[int, int], j: int, line: int) -> _Fn:
    if j < len(toks) and toks[j].text == "{":
        return _Fn(line, j + 1, pairs[j], True)
    return _Fn(line, j, _expression_end(toks, pairs, j), False)


def _expression_end(toks: list[_Tok], pairs: dict[int, int], j: int) -> int:
    while j < len(toks) and toks[j].text not in (",", ";", ")", "}", "]"):
        j = pairs[j] + 1 if j in pairs else j + 1
    return j


def _kind(toks: list[_Tok], fn: _Fn | None, name: str) -> tuple[Down, str]:
    if fn is None:
        return Down.MISSING, f"no {name} function"
    body = toks[fn.start:fn.end]
    if not fn.block and len(body) == 1 and body[0].kind == "id" and body[0].text not in _NOOP:
        return Down.OK, ""  # a reference to a function defined elsewhere: not followed
    if body and body[0].text == "throw":
        raised = [t.text for t in body[1:8] if t.kind in ("id", "str") and t.text != "new"]
        return Down.RAISES, f"{name}() throws {': '.join(raised[:2]) or 'an exception'}"
    rest = [t for t in body if t.text not in _NOOP]
    # `Promise.resolve(...)` and `{}` with nothing else do nothing either
    texts = [t.text for t in rest]
    while texts[:3] == ["Promise", ".", "resolve"]:
        texts = texts[3:]
        if texts[:1] == ["("]:
            depth = 0
            for k, x in enumerate(texts):
                depth += (x == "(") - (x == ")")
                if depth == 0:
                    texts = texts[k + 1:]
                    break
        texts = [x for x in texts if x != ";"]
    if not texts or texts == ["{", "}"]:
        return Down.EMPTY, f"{name}() does nothing"
    return Down.OK, ""


# -- discovery ------------------------------------------------------------------------------------

def read(repo: Repository) -> list[History]:
    folders: dict[str, tuple[str, str]] = {}  # folder -> (tool named by its config, config file)
    for rel in repo.files:
        base = rel.rsplit("/", 1)[-1]
        here = posixpath.dirname(rel)
        if re.match(r"knexfile\.[cm]?[jt]s$", base):
            for d in _config_dirs(repo, rel, "directory") or ["migrations"]:
                folders.setdefault(posixpath.normpath(posixpath.join(here, d)), ("Knex", rel))
        elif base == ".sequelizerc":
            for d in _config_dirs(repo, rel, "migrations-path") or ["migrations"]:
                folders.setdefault(posixpath.normpath(posixpath.join(here, d)), ("Sequelize", rel))
        elif re.match(r"(data-?source|ormconfig|typeorm\.config)\.([cm]?[jt]s|json)$", base, re.I):
            # migrations: ["src/migrations/*.ts"] globs, relative to the project (or to the file)
            project = _project_dir(repo, here)
            for glob in _config_dirs(repo, rel, "migrations"):
                folder = glob.split("*")[0].rstrip("/") if "*" in glob else posixpath.dirname(glob)
                for base_dir in (project, here):
                    d = posixpath.normpath(posixpath.join(base_dir, folder))
                    if repo.under(d + "/"):
                        folders.setdefault(d, ("TypeORM", rel))
                        break
    for rel in repo.files:
        parts = rel.rsplit("/", 2)
        if len(parts) >= 2 and parts[-2] in ("migrations", "migration") and _FILE.match(parts[-1]):
            folders.setdefault(rel.rsplit("/", 1)[0], ("", ""))
    out: list[History] = []
    configs = _config_files(repo)
    for folder, (config_tool, config) in sorted(folders.items()):
        out.extend(_folder(repo, folder, config_tool, config, configs))
    return out


def _config_dirs(repo: Repository, rel: str, key: str) -> list[str]:
    """String values of `key: '...'` / `key: ['...']` / `key: path.resolve('db', 'migrations')`."""
    text = repo.text(rel) or ""
    if rel.endswith(".json"):  # ormconfig.json: {"migrations": [...]} (or a list of such)
        try:
            data = json.loads(text)
        except ValueError:
            return []
        found = [d.get(key) for d in (data if isinstance(data, list) else [data]) if isinstance(d, dict)]
        return [v for f in found for v in (f if isinstance(f, list) else [f]) if isinstance(v, str)]
    try:
        toks = _tokens(text)
    except _JsSyntax:
        return []
    out = []
    for k, t in enumerate(toks):
        if t.text == key and k + 1 < len(toks) and toks[k + 1].text == ":":
            strings, j, depth = [], k + 2, 0
            while j < len(toks):
                x = toks[j]
                if x.kind == "punct" and x.text in "([{":
                    depth += 1
                elif x.kind == "punct" and x.text in ")]}":
                    depth -= 1
                    if depth < 0:
                        break
                elif x.kind == "punct" and x.text == "," and depth == 0:
                    break
                elif x.kind == "str" and not x.interpolated:
                    strings.append(x.text)
                j += 1
            if strings:  # path.join('db', 'migrations'), or an array: each one its own folder
                array = j > k + 2 and toks[k + 2].text == "["
                out += strings if array else ["/".join(s.strip("/") for s in strings if s not in (".", "./"))
                                              or "."]
    return out


def _project_dir(repo: Repository, here: str) -> str:
    """The nearest folder at or above ``here`` holding a package.json (the root if none)."""
    manifests = {posixpath.dirname(m) for m in repo.by_name("package.json")}
    while here and here not in manifests:
        here = posixpath.dirname(here)
    return here


def _package_tool(repo: Repository, folder: str) -> str:
    """The migration tool in the nearest package.json's dependencies (TypeORM before Sequelize/Knex)."""
    parts = folder.split("/")
    manifests = set(repo.by_name("package.json"))
    for k in range(len(parts), -1, -1):
        rel = "/".join(parts[:k] + ["package.json"])
        text = repo.text(rel) if rel in manifests else None
        if not text:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        deps = {}
        for key in ("dependencies", "devDependencies"):
            if isinstance(data, dict) and isinstance(data.get(key), dict):
                deps.update(data[key])
        for dep, tool in sorted(_DEPENDENCIES.items(), key=lambda kv: _TOOLS.index(kv[1])):
            if dep in deps:
                return tool
    return ""


def _content_tool(text: str) -> str:
    if re.search(r"\bMigrationInterface\b|\bqueryRunner\b", text):
        return "TypeORM"
    if re.search(r"\bqueryInterface\b|\bQueryInterface\b|\bSequelize\b", text):
        return "Sequelize"
    if re.search(r"\bknex\b|\bKnex\b", text):
        return "Knex"
    return ""


def _dialect(repo: Repository, config: str, folder: str, configs: list[str]) -> str:
    """client/dialect/type in the tool's config files, when it names one database."""
    texts = [repo.text(config) or ""] if config else []
    for rel in configs:  # those of the project the folder belongs to (next to it or one level down)
        project = posixpath.dirname(posixpath.dirname(rel))
        if not project or folder.startswith(project + "/"):
            texts.append(repo.text(rel) or "")
    found = set()
    for text in texts:
        for m in re.finditer(r"[\"']?\b(?:client|dialect|type)[\"']?\s*:\s*[\"']([\w-]+)[\"']", text):
            if m[1] in _DIALECTS:
                found.add(_DIALECTS[m[1]])
    return found.pop() if len(found) == 1 else ""


def _config_files(repo: Repository) -> list[str]:
    return [rel for rel in repo.files if rel.endswith("config/config.json")
            or re.match(r"(knexfile|data-source|datasource|ormconfig|database)\.", rel.rsplit("/", 1)[-1])]


def _folder(repo: Repository, folder: str, config_tool: str, config: str, configs: list[str]) -> list[History]:
    prefix = folder.rstrip("/") + "/"
    files = [rel for rel in repo.under(prefix) if "/" not in rel[len(prefix):]
             and _FILE.match(rel[len(prefix):]) and not _NOT_MIGRATION.search(rel)]
    if not files:
        return []
    fallback = config_tool or _package_tool(repo, folder)
    parsed: list[tuple[str, str, list[Problem], Revision | None]] = []
    for rel in files:
        problems: list[Problem] = []
        text = repo.text(rel)
        tool = _content_tool(text or "") or fallback
        parsed.append((rel, tool, problems, _revision(repo, rel, text, tool, problems)))
    counts = {t: sum(1 for p in parsed if p[1] == t) for t in _TOOLS}
    majority = max(_TOOLS, key=lambda t: counts[t]) if any(counts.values()) else ""
    histories: dict[str, History] = {}
    for rel, tool, problems, r in parsed:
        tool = tool or majority or fallback
        if not tool:  # no sign of Knex, Sequelize or TypeORM (node-pg-migrate, db-migrate...): not ours
            continue
        if tool not in histories:
            histories[tool] = History(tool, folder, config if tool == config_tool else "", linear_by_design=True,
                                      dialect=_dialect(repo, config, folder, configs))
        h = histories[tool]
        h.problems.extend(problems)
        if r is not None:
            h.revisions.append(r)
    for h in histories.values():
        h.revisions.sort(key=lambda r: (r.order_key, r.file))
        chain(h.revisions)
        duplicates(h, key=lambda r: r.order_key[0], what="timestamp")
    return [histories[t] for t in _TOOLS if t in histories]


# -- one migration file ---------------------------------------------------------------------------

def _revision(repo: Repository, rel: str, text: str | None, tool: str, problems: list[Problem]) -> Revision | None:
    base = rel.rsplit("/", 1)[-1]
    m = _FILE.match(base)
    if text is None:
        why = "larger than the size cap" if rel in repo.stats.skipped_large else "binary or unreadable"
        problems.append(Problem(rel, f"could not be read ({why})"))
        return None
    if "\ufffd" in text:
        problems.append(Problem(rel, "not UTF-8 text"))
    if not text.strip():
        problems.append(Problem(rel, "empty file: no up/down migration in it"))
        return None
    conflict = _CONFLICT.search(text)
    if conflict:
        problems.append(Problem(rel, "unresolved merge conflict markers", text.count("\n", 0, conflict.start()) + 1))
        return None
    try:
        toks = _tokens(text)
        pairs = _matching(toks)
    except _JsSyntax as exc:
        problems.append(Problem(rel, f"syntax error: {exc}", exc.line))
        return None
    fns = _functions(toks, pairs)
    if "up" not in fns:
        problems.append(Problem(rel, f"no up function found (not a {tool or 'migration'} file?)"))
        return None
    stamp = m["ts"] if m else "0"
    name = m["name"] if m else base
    if tool == "TypeORM":
        cls = next((toks[k + 1].text for k, t in enumerate(toks[:-1]) if t.text == "class"
                    and toks[k + 1].kind == "id"), "")
        named = next((toks[k + 2].text for k, t in enumerate(toks[:-2]) if t.text == "name"
                      and toks[k + 1].text == "=" and toks[k + 2].kind == "str"), "")
        ts = re.search(r"(\d{13})$", named or cls)
        if ts:  # TypeORM orders by the timestamp at the end of the class name
            stamp = ts[1]
        else:
            problems.append(Problem(rel, f"class {named or cls or '?'} has no 13-digit JavaScript timestamp at the "
                                         "end of its name: TypeORM refuses it"))
        name = cls or name
    r = Revision(base.rsplit(".", 1)[0], (), rel, fns["up"].line, name=name, order_key=(int(stamp),))
    r.down, r.down_detail = _kind(toks, fns.get("down"), "down")
    if r.down == Down.MISSING:
        r.down_detail = {"TypeORM": "no down() method", "Sequelize": "no down function in module.exports"}.get(
            tool, "no down export")
    up_kind, _ = _kind(toks, fns["up"], "up")
    r.up_empty = up_kind == Down.EMPTY
    r.up_sql = _ops(toks, pairs, fns["up"], r)
    if "down" in fns:
        r.down_sql = _ops(toks, pairs, fns["down"], None)
    return r


def _ops(toks: list[_Tok], pairs: dict[int, int], fn: _Fn, r: Revision | None) -> str | None:
    """Record the operations of a body on ``r`` and return the SQL of its literal raw/query calls."""
    sql = []
    for k in range(fn.start, min(fn.end, len(toks) - 2)):
        if toks[k].text != "." or toks[k + 1].kind != "id" or toks[k + 2].text != "(":
            continue
        op = toks[k + 1].text
        receiver = toks[k - 1].text if k else ""
        if op == "table" and receiver != "schema":
            continue
        if op in _SQL_CALLS:
            literal = _literal(toks, pairs, k + 3)
            if literal is not None:
                sql.append(literal.strip().rstrip(";"))
            if r is not None:
                r.operations.append(op)
                data, schema = sql_kind(literal) if literal is not None else (True, False)
                r.data_change, r.schema_change = r.data_change or data, r.schema_change or schema
        elif r is not None and (op in _SCHEMA_OPS or op == "table"):
            r.operations.append(op)
            r.schema_change = True
        elif r is not None and op in _DATA_OPS:
            r.operations.append(op)
            r.data_change = True
    sql = [s for s in sql if s]
    return ";\n".join(sql) + ";" if sql else None


def _literal(toks: list[_Tok], pairs: dict[int, int], j: int) -> str | None:
    """The first argument when it is a literal string (or literal strings joined with +)."""
    parts = []
    while j < len(toks) and toks[j].kind == "str" and not toks[j].interpolated:
        parts.append(toks[j].text)
        if j + 1 < len(toks) and toks[j + 1].text == "+":
            j += 2
            continue
        return "".join(parts) if j + 1 < len(toks) and toks[j + 1].text in (",", ")") else None
    return None
