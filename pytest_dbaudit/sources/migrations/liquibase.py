"""Liquibase: master changelogs (configured in ``liquibase.properties``, Spring's
``spring.liquibase.change-log``, Maven/Gradle ``changeLogFile``, or any ``*changelog*`` file no other
changelog includes) and everything they ``include``/``includeAll``, in XML, YAML, JSON or formatted SQL.

One history per master changelog: its changeSets in execution order, chained. Liquibase rolls some
changes back by itself (createTable, addColumn...); anything else needs a ``<rollback>``, which is
why a changeSet without one is MISSING and an empty one EMPTY. XML is read with expat and entity
declarations refused, so a changelog cannot pull in outside files or expand entities.
"""

from __future__ import annotations

import posixpath
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from xml.parsers import expat

from ..structured import ParseError, parsed
from ..walk import Repository
from .model import Down, History, Problem, Revision, chain
from .model import sql_kind

_EXTS = (".xml", ".yaml", ".yml", ".json", ".sql")
_MAX_DEPTH = 100  # include nesting
# Changes Liquibase knows how to undo without a <rollback>.
_AUTO = {"createTable", "addColumn", "createIndex", "renameColumn", "renameTable", "renameView", "renameSequence",
         "addForeignKeyConstraint", "addUniqueConstraint", "addNotNullConstraint", "dropNotNullConstraint",
         "addPrimaryKey", "addLookupTable", "addDefaultValue", "createView", "createSequence", "tagDatabase",
         "addAutoIncrement", "empty"}
_DATA = {"insert", "update", "delete", "loadData", "loadUpdateData"}
_NEITHER = {"tagDatabase", "empty", "output", "stop", "customChange", "executeCommand", "sql", "sqlFile"}
_NOT_CHANGES = {"comment", "preConditions", "precondition", "validCheckSum", "rollback", "modifySql", "property"}
_CONFLICT = re.compile(r"^(<{7}|>{7})( |$)", re.M)
_FORMATTED = re.compile(r"^\s*--\s*liquibase\s+formatted\s+sql\b", re.I)
_CHANGESET = re.compile(r"^\s*--\s*changeset\s+(.*)$", re.I)
_AUTHOR_ID = re.compile(r'^("[^"]+"|[^\s:]+):("[^"]+"|\S+)(.*)$')
_ROLLBACK = re.compile(r"^\s*--\s*rollback\b\s?(.*)$", re.I)
_ROLLBACK_BLOCK = re.compile(r"^\s*/\*\s*liquibase\s+rollback\s*$", re.I)
_SQL_INCLUDE = re.compile(r"^\s*--\s*(include|includeAll)\s+(?:file|path):(\S+)(.*)$", re.I)
_DIRECTIVE = re.compile(r"^\s*--\s*(preconditions?|precondition-[\w-]+|comment|validCheckSum|ignoreLines|property)\b",
                        re.I)
_CONFIG_KEYS = re.compile(r"^\s*(changeLogFile|changelog-file|changelogFile|liquibase\.command\.changelogFile|"
                          r"spring\.liquibase\.change-log|spring\.liquibase\.changeLog)\s*[=:]\s*(\S+)", re.M)
_BUILD_KEY = re.compile(r"<changeLogFile>\s*([^<\s]+)\s*</changeLogFile>|changeLogFile\s*[=:(]?\s*[\"']([^\"']+)")


@dataclass
class _ChangeSet:
    author: str
    id: str
    file: str
    line: int
    changes: list[str] = field(default_factory=list)
    sql: list[str] = field(default_factory=list)
    rollback: str = "none"  # none, empty, not-required, sql, changes, ref
    rollback_sql: list[str] = field(default_factory=list)
    dbms: list[str] = field(default_factory=list)
    comment: str = ""

    @property
    def key(self) -> str:
        return f"{self.author}:{self.id}"


@dataclass
class _Include:
    all: bool  # includeAll
    path: str
    relative: bool
    line: int


@dataclass
class _Changelog:
    items: list = field(default_factory=list)  # _ChangeSet and _Include in document order
    problems: list[Problem] = field(default_factory=list)


def read(repo: Repository) -> list[History]:
    out: list[History] = []
    cache: dict[str, _Changelog | None] = {}
    masters: list[tuple[str, str]] = []  # (changelog, where it is configured)
    for config, value in dict.fromkeys(_configured(repo)):  # a setting repeated in profiles counts once
        target = _resolve(repo, value, posixpath.dirname(config), False, config)
        if target is None:
            h = History("Liquibase", value, config, linear_by_design=True)
            h.problems.append(Problem(config, f"the changelog {value} it names does not exist"))
            out.append(h)
        elif target not in [m for m, _ in masters]:
            masters.append((target, config))
    candidates = [rel for rel in repo.files if "changelog" in rel.rsplit("/", 1)[-1].lower()
                  and rel.lower().endswith(_EXTS) and rel not in [m for m, _ in masters]]
    liquibase = [rel for rel in candidates if _looks_like_liquibase(repo, rel)]
    included: set[str] = set()
    for rel in [m for m, _ in masters] + liquibase:
        visited: set[str] = set()
        _expand(repo, rel, cache, [], visited, [], [])
        included.update(v for v in visited if v != rel)
    masters += [(rel, "") for rel in liquibase if rel not in included]
    for master, config in masters:
        h = History("Liquibase", master, config, linear_by_design=True)
        changesets: list[_ChangeSet] = []
        _expand(repo, master, cache, [], set(), changesets, h.problems)
        _revisions(repo, h, changesets)
        out.append(h)
    return out


# -- finding the master changelogs ----------------------------------------------------------------

def _configured(repo: Repository):
    """(config file, changelog path as written) from Liquibase, Spring, Maven and Gradle settings."""
    for rel in repo.files:
        base = rel.rsplit("/", 1)[-1]
        if base.endswith(".properties") and ("liquibase" in base or base.startswith(("application", "bootstrap"))):
            for m in _CONFIG_KEYS.finditer(repo.text(rel) or ""):
                if "${" not in m[2]:  # a placeholder filled in at run time
                    yield rel, m[2]
        elif base.startswith(("application", "bootstrap")) and base.endswith((".yml", ".yaml")):
            docs = parsed(repo, rel, "yaml")
            for doc in docs if isinstance(docs, list) else []:
                lb = _get(doc, "spring", "liquibase")
                value = _get(lb, "change-log") or _get(lb, "changeLog")
                if isinstance(value, str) and "${" not in value:
                    yield rel, value
        elif base in ("pom.xml", "build.gradle", "build.gradle.kts"):
            for m in _BUILD_KEY.finditer(repo.text(rel) or ""):
                if "${" not in (m[1] or m[2]):
                    yield rel, m[1] or m[2]


def _get(data, *keys):
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _looks_like_liquibase(repo: Repository, rel: str) -> bool:
    """A *changelog* file that Liquibase would read: says so, or is empty/unreadable (a problem to show)."""
    text = repo.text(rel)
    if text is None or not text.strip():
        return True
    if rel.lower().endswith(".sql"):
        return bool(_FORMATTED.match(text.lstrip("\ufeff").split("\n", 1)[0]))
    return "databaseChangeLog" in text


def _resolve(repo: Repository, path: str, here: str, relative: bool, changelog: str,
             folder: bool = False) -> str | None:
    """A changelog path as Liquibase resolves it: next to the including file, or on the search path
    (the resources folder the master changelog or config sits in, the including folder, the root)."""
    path = re.sub(r"^(classpath\*?:|file:)", "", path.strip()).lstrip("/")
    bases = [here]
    if not relative:
        at = f"/{changelog}".find("/src/main/resources/")
        bases = ([changelog[:at + len("/src/main/resources") - 1].lstrip("/")] if at >= 0 else []) + [here, ""]
    for base in bases:
        candidate = posixpath.normpath(posixpath.join(base, path)).rstrip("/")
        if folder and _has_prefix(repo.files, candidate + "/"):
            return candidate
        if not folder and _has_prefix(repo.files, candidate, exact=True):
            return candidate
    return None


def _has_prefix(files: list[str], prefix: str, exact: bool = False) -> bool:
    """``files`` is sorted: a binary search finds a file (exact) or a file under a folder (prefix)."""
    i = bisect_left(files, prefix)
    return i < len(files) and (files[i] == prefix if exact else files[i].startswith(prefix))


# -- following includes --------------------------------------------------------------------------

def _expand(repo: Repository, rel: str, cache: dict, stack: list[str], visited: set[str],
            out: list[_ChangeSet], problems: list[Problem]) -> None:
    """Depth-first, in document order, as Liquibase runs them."""
    if len(stack) >= _MAX_DEPTH:
        problems.append(Problem(rel, f"includes nested more than {_MAX_DEPTH} deep; not followed further"))
        return
    stack.append(rel)
    visited.add(rel)
    if rel not in cache:
        cache[rel] = _load(repo, rel)
    log = cache[rel]
    problems.extend(log.problems)
    here = posixpath.dirname(rel)
    for item in log.items:
        if isinstance(item, _ChangeSet):
            out.append(item)
            continue
        if item.all:
            folder = _resolve(repo, item.path, here, item.relative, stack[0], folder=True)
            if folder is None:
                problems.append(Problem(rel, f"includeAll path {item.path} does not exist or is empty", item.line))
                continue
            targets = [f for f in repo.under(folder + "/") if f.lower().endswith(_EXTS)]
        else:
            target = _resolve(repo, item.path, here, item.relative, stack[0])
            if target is None:
                problems.append(Problem(rel, f"includes {item.path}, which does not exist", item.line))
                continue
            targets = [target]
        for target in targets:
            if target in stack:
                if not item.all:
                    problems.append(Problem(rel, f"circular include of {target}", item.line))
            elif target not in visited:  # a file included twice runs once
                _expand(repo, target, cache, stack, visited, out, problems)
    stack.pop()


def _load(repo: Repository, rel: str) -> _Changelog:
    log = _Changelog()
    text = repo.text(rel)
    if text is None:
        why = "larger than the size cap" if rel in repo.stats.skipped_large else "binary or unreadable"
        log.problems.append(Problem(rel, f"changelog could not be read ({why})"))
        return log
    if not text.strip():
        log.problems.append(Problem(rel, "empty changelog: Liquibase refuses a file with no databaseChangeLog"))
        return log
    conflict = _CONFLICT.search(text)
    if conflict:
        line = text.count("\n", 0, conflict.start()) + 1
        log.problems.append(Problem(rel, "unresolved merge conflict markers", line))
        return log
    lower = rel.lower()
    try:
        if lower.endswith(".xml"):
            _xml(repo, rel, text, log)
        elif lower.endswith(".sql"):
            if "\ufffd" in text:
                log.problems.append(Problem(rel, "not UTF-8 text"))
            _formatted_sql(rel, text, log)
        else:
            data = parsed(repo, rel, "json" if lower.endswith(".json") else "yaml")
            if isinstance(data, ParseError):
                log.problems.append(Problem(rel, f"could not parse: {data.reason}"))
                return log
            doc = data[0] if isinstance(data, list) and data and not lower.endswith(".json") else data
            _structured(repo, rel, text, doc, log)
    except RecursionError:
        log.problems.append(Problem(rel, "nested too deeply"))
    return log


# -- XML ------------------------------------------------------------------------------------------

@dataclass
class _Node:
    tag: str
    attrs: dict
    line: int
    children: list = field(default_factory=list)
    text: str = ""


class _Refused(Exception):
    pass


def _parse_xml(data: str | bytes) -> _Node:
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    root = _Node("", {}, 0)
    stack = [root]

    def start(tag, attrs):
        node = _Node(tag.split(":")[-1], attrs, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def refuse(*_):
        raise _Refused("declares XML entities; not read (entity expansion is refused)")

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: stack.pop()
    parser.CharacterDataHandler = lambda data: setattr(stack[-1], "text", stack[-1].text + data)
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.Parse(data, True)
    return root.children[0] if root.children else root


def _xml(repo: Repository, rel: str, text: str, log: _Changelog) -> None:
    data: str | bytes = text
    if "\ufffd" in text:
        declared = re.match(r"\s*<\?xml[^>]*encoding=[\"']([\w.-]+)", text)
        if not declared or declared[1].lower().replace("-", "") == "utf8":
            log.problems.append(Problem(rel, "not UTF-8 text"))
            return
        try:
            data = repo.path(rel).read_bytes()  # a declared legacy encoding: let expat decode it
        except OSError:
            return
    try:
        root = _parse_xml(data)
    except expat.ExpatError as exc:
        log.problems.append(Problem(rel, f"XML syntax error: {expat.ErrorString(exc.code)}", exc.lineno))
        return
    except (_Refused, ValueError) as exc:
        log.problems.append(Problem(rel, str(exc)))
        return
    if root.tag != "databaseChangeLog":
        log.problems.append(Problem(rel, f"root element is <{root.tag}>, not <databaseChangeLog>", root.line))
        return
    _xml_items(rel, root, log)


def _xml_items(rel: str, parent: _Node, log: _Changelog) -> None:
    for node in parent.children:
        if node.tag in ("include", "includeAll"):
            path = node.attrs.get("file" if node.tag == "include" else "path", "")
            log.items.append(_Include(node.tag == "includeAll", path,
                                      node.attrs.get("relativeToChangelogFile", "").lower() == "true", node.line))
        elif node.tag == "modifyChangeSets":
            _xml_items(rel, node, log)
        elif node.tag == "changeSet":
            cs = _ChangeSet(node.attrs.get("author", ""), node.attrs.get("id", ""), rel, node.line)
            cs.dbms += _dbms(node.attrs.get("dbms", ""))
            for child in node.children:
                if child.tag == "comment":
                    cs.comment = child.text.strip()
                elif child.tag == "rollback":
                    _xml_rollback(child, cs)
                elif child.tag not in _NOT_CHANGES:
                    _xml_change(child, cs, cs.sql)
            if not cs.id or not cs.author:
                log.problems.append(Problem(rel, "changeSet without an id or author attribute", node.line))
            log.items.append(cs)


def _xml_change(node: _Node, cs: _ChangeSet, sql: list[str]) -> None:
    cs.changes.append(node.tag)
    cs.dbms += _dbms(node.attrs.get("dbms", ""))
    if node.tag in ("sql", "createProcedure") and node.text.strip():
        sql.append(node.text.strip())
    elif node.tag == "sqlFile":
        sql.append(f"@file:{node.attrs.get('path', '')}|{node.attrs.get('relativeToChangelogFile', 'false')}")


def _xml_rollback(node: _Node, cs: _ChangeSet) -> None:
    if node.attrs.get("changeSetId"):
        cs.rollback = "ref"
        return
    if node.text.strip():
        cs.rollback = "sql"
        cs.rollback_sql.append(node.text.strip())
    for child in node.children:
        cs.rollback = "changes" if cs.rollback == "none" else cs.rollback
        if child.tag == "sql" and child.text.strip():
            cs.rollback_sql.append(child.text.strip())
    if cs.rollback == "none":
        cs.rollback = "empty"


# -- YAML and JSON --------------------------------------------------------------------------------

def _structured(repo: Repository, rel: str, text: str, doc, log: _Changelog) -> None:
    entries = doc.get("databaseChangeLog") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        log.problems.append(Problem(rel, "no databaseChangeLog list at the top"))
        return
    json_lines = iter(m.start() for m in re.finditer(r'"changeSet"\s*:', text))
    for entry in entries:
        if not isinstance(entry, dict) or len(entry) != 1:
            log.problems.append(Problem(rel, "databaseChangeLog entry is not a single-key mapping",
                                        getattr(entry, "line", 0)))
            continue
        (kind, body), = entry.items()
        line = getattr(entry, "line", 0)
        if isinstance(body, dict) and kind in ("include", "includeAll"):
            path = body.get("file" if kind == "include" else "path")
            relative = str(body.get("relativeToChangelogFile", "")).lower() == "true"
            if isinstance(path, str):
                log.items.append(_Include(kind == "includeAll", path, relative, line))
        elif kind == "changeSet":
            if not isinstance(body, dict):
                log.problems.append(Problem(rel, "changeSet is not a mapping", line))
                continue
            if not line:  # JSON: the n-th "changeSet" key
                line = text.count("\n", 0, next(json_lines, 0)) + 1
            cs = _ChangeSet(str(body.get("author", "")), str(body.get("id", "")), rel, line)
            cs.dbms += _dbms(str(body.get("dbms", "")))
            cs.comment = str(body.get("comment", "") or "")
            for change in body.get("changes") or []:
                _structured_change(change, cs, cs.sql)
            if "rollback" in body:
                _structured_rollback(body["rollback"], cs)
            if not body.get("id") or not body.get("author"):
                log.problems.append(Problem(rel, "changeSet without an id or author", cs.line))
            log.items.append(cs)


def _structured_change(change, cs: _ChangeSet, sql: list[str]) -> None:
    if not isinstance(change, dict) or not change:
        return
    name, body = next(iter(change.items()))
    if name in _NOT_CHANGES:
        return
    cs.changes.append(name)
    if isinstance(body, dict):
        cs.dbms += _dbms(str(body.get("dbms", "")))
        if name == "sql" and isinstance(body.get("sql"), str):
            sql.append(body["sql"].strip())
        elif name == "sqlFile":
            sql.append(f"@file:{body.get('path', '')}|{body.get('relativeToChangelogFile', 'false')}")
    elif name == "sql" and isinstance(body, str):
        sql.append(body.strip())


def _structured_rollback(value, cs: _ChangeSet) -> None:
    if isinstance(value, str) and value.strip():
        cs.rollback = "sql"
        cs.rollback_sql.append(value.strip())
    elif isinstance(value, dict) and value.get("changeSetId"):
        cs.rollback = "ref"
    elif isinstance(value, (list, dict)) and value:
        cs.rollback = "changes"
        scratch = _ChangeSet("", "", "", 0)
        for change in value if isinstance(value, list) else [value]:
            _structured_change(change, scratch, cs.rollback_sql)
    else:
        cs.rollback = "empty"


# -- formatted SQL --------------------------------------------------------------------------------

def _formatted_sql(rel: str, text: str, log: _Changelog) -> None:
    lines = text.lstrip("\ufeff").split("\n")
    first = next((ln for ln in lines if ln.strip()), "")
    if not _FORMATTED.match(first):  # a plain .sql file included: Liquibase runs it as one raw changeSet
        cs = _ChangeSet("includeAll", "raw", rel, 1, ["sql"], [text.strip()])
        log.items.append(cs)
        return
    cs: _ChangeSet | None = None
    body: list[str] = []
    in_rollback_block = False

    def finish() -> None:
        if cs is not None:
            sql = "\n".join(body).strip()
            if sql:
                cs.changes.append("sql")
                cs.sql.append(sql)
            log.items.append(cs)

    for n, line in enumerate(lines, 1):
        if in_rollback_block:
            if line.strip().endswith("*/"):
                in_rollback_block = False
                line = line.strip()[:-2]
            if cs is not None and line.strip():
                cs.rollback = "sql"
                cs.rollback_sql.append(line.strip())
            continue
        m = _CHANGESET.match(line)
        if m:
            finish()
            body = []
            parts = _AUTHOR_ID.match(m[1].strip())
            if not parts:
                log.problems.append(Problem(rel, f"--changeset without author:id ({m[1].strip() or 'nothing'}): "
                                                 "Liquibase stops with 'Unexpected formatting'", n))
                cs = None
                continue
            cs = _ChangeSet(parts[1].strip('"'), parts[2].strip('"'), rel, n)
            attrs = dict(re.findall(r"(\w+):(\S+)", parts[3]))
            cs.dbms += _dbms(attrs.get("dbms", ""))
            continue
        inc = _SQL_INCLUDE.match(line)
        if inc:
            log.items.append(_Include(inc[1].lower() == "includeall", inc[2],
                                      "relativetochangelogfile:true" in inc[3].lower(), n))
            continue
        rb = _ROLLBACK.match(line)
        if rb:
            if cs is not None:
                value = rb[1].strip()
                if value.lower() in ("not required", "empty"):
                    cs.rollback = "not-required" if value.lower() == "not required" else "empty"
                elif value:
                    cs.rollback = "sql"
                    cs.rollback_sql.append(value)
            continue
        if _ROLLBACK_BLOCK.match(line):
            in_rollback_block = True
            continue
        if _FORMATTED.match(line) or _DIRECTIVE.match(line):
            continue
        if cs is not None:
            body.append(line)
    finish()


# -- revisions ------------------------------------------------------------------------------------

def _dbms(value: str) -> list[str]:
    names = [v.strip().lower() for v in value.split(",") if v.strip()]
    return [{"postgres": "postgresql"}.get(v, v) for v in names if v not in ("all", "none") and not v.startswith("!")]


def _sql_text(repo: Repository, cs: _ChangeSet, parts: list[str], problems: list[Problem]) -> str | None:
    """The SQL of sql/sqlFile changes (sqlFile read from the repository), None when there is none."""
    out = []
    for part in parts:
        if part.startswith("@file:"):
            path, relative = part[len("@file:"):].rsplit("|", 1)
            target = _resolve(repo, path, posixpath.dirname(cs.file), relative.lower() == "true", cs.file)
            text = repo.text(target) if target else None
            if text is None:
                problems.append(Problem(cs.file, f"changeSet {cs.key}: sqlFile {path} not found or unreadable",
                                        cs.line))
                continue
            part = text
        part = part.strip().rstrip(";").strip()
        if part:
            out.append(part)
    return ";\n".join(out) + ";" if out else None


def _revisions(repo: Repository, history: History, changesets: list[_ChangeSet]) -> None:
    repo_problems = history.problems
    seen: dict[tuple[str, str], _ChangeSet] = {}
    ids: set[str] = set()
    dialects: set[str] = set()
    for cs in changesets:
        if (cs.file, cs.key) in seen:
            first = seen[(cs.file, cs.key)]
            repo_problems.append(Problem(cs.file, f"duplicate changeSet {cs.key} (also {first.file}:{first.line})",
                                         cs.line))
        else:
            seen[(cs.file, cs.key)] = cs
        rid = cs.key if cs.key not in ids else f"{cs.key}@{cs.file}"
        rid = rid if rid not in ids else f"{cs.key}@{cs.file}:{cs.line}"
        ids.add(rid)
        dialects.update(cs.dbms)
        r = Revision(rid, (), cs.file, cs.line, name=cs.comment.splitlines()[0] if cs.comment else "",
                     operations=list(cs.changes))
        r.up_sql = _sql_text(repo, cs, cs.sql, repo_problems) if cs.sql else None
        r.down_sql = _sql_text(repo, cs, cs.rollback_sql, repo_problems) if cs.rollback_sql else None
        for change in cs.changes:
            r.data_change = r.data_change or change in _DATA
            r.schema_change = r.schema_change or change not in _DATA | _NEITHER
        if r.up_sql:
            data, schema = sql_kind(r.up_sql)
            r.data_change, r.schema_change = r.data_change or data, r.schema_change or schema
        r.down, r.down_detail = _down(cs)
        r.up_empty = not cs.changes
        history.revisions.append(r)
    chain(history.revisions)
    if len(dialects) == 1:
        history.dialect = dialects.pop()


def _down(cs: _ChangeSet) -> tuple[Down, str]:
    if cs.rollback == "empty":
        return Down.EMPTY, f"changeSet {cs.key} has an empty rollback"
    if cs.rollback == "not-required":
        return Down.EMPTY, f"changeSet {cs.key} says --rollback not required"
    if cs.rollback != "none":
        return Down.OK, ""
    if not cs.changes:
        return Down.EMPTY, f"changeSet {cs.key} has no changes"
    manual = sorted({c for c in cs.changes if c not in _AUTO})
    if manual:
        return Down.MISSING, f"changeSet {cs.key} has no rollback and Liquibase cannot roll back " \
            f"{', '.join(manual)} automatically"
    return Down.OK, ""

