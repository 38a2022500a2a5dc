"""Rails: ``db/migrate/<version>_<name>.rb`` (any ``migrate`` folder under a ``db/`` folder, engines and
multi-database ``db/<name>_migrate`` folders included), one history per folder, in version order.

There is no Ruby parser in Python, so the files are read with a small scanner: strings, heredocs and
comments are set aside first, then ``def``/``class``/``do``/``if``...``end`` nesting is followed token
by token. That is enough to find the migration class, ``change`` or ``up``/``down``, the operations
they call with their arguments, literal ``execute`` SQL, and whether Rails can roll the migration back:
``change`` is reversed automatically except for the operations Rails refuses to invert (``execute``,
``change_column``, ``remove_column`` without a type...) when they are not inside ``reversible`` or
``up_only``.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from ..walk import Repository
from .model import Down, History, Problem, Revision, chain, duplicates
from .model import sql_kind

_FILE = re.compile(r"^(?P<root>(?:.*/)?db/(?:[^/]+/)*[^/]*migrate)/(?P<version>\d+)_(?P<name>\w+?)(?:\.\w+)?\.rb$")
_CONFLICT = re.compile(r"^(<{7}|>{7})( |$)", re.M)
_HEREDOC = re.compile(r"<<([~-]?)(['\"`]?)([A-Za-z_]\w*)\2")
_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}
_TOKEN = re.compile(r"""
    (?P<nl>\n)
  | (?P<sp>[ \t\r\f]+|\\\r?\n)
  | (?P<key>[A-Za-z_]\w*[?!]?:(?!:))
  | (?P<sym>:[A-Za-z_]\w*[?!=]?)
  | (?P<var>[@$]+\w+)
  | (?P<word>[A-Za-z_]\w*[?!]?)
  | (?P<num>\d[\d_]*(?:\.\d+)?)
  | (?P<op>::|=>|->|&&=|\|\|=|&&|\|\||<<|==|!=|<=|>=|\*\*|&\.|\.\.\.?|[-+*/%=<>!&|^~?:;,.(){}\[\]])
  | (?P<other>.)
""", re.X | re.S)
_PLACEHOLDER = re.compile(r"_S(\d+)_$")

_KEYWORDS = {"alias", "and", "begin", "break", "case", "class", "def", "defined?", "do", "else", "elsif", "end",
             "ensure", "false", "for", "if", "in", "module", "next", "nil", "not", "or", "redo", "rescue", "retry",
             "return", "self", "super", "then", "true", "undef", "unless", "until", "when", "while", "yield"}
# Tokens after which a line break does not end the statement.
_CONTINUES = {",", ".", "&.", "&&", "||", "+", "-", "*", "/", "=", "(", "[", "=>", "<<", "?", "and", "or", "not",
              "||=", "&&=", "+=", "-=", "::"}
# Tokens after which `if`/`while`/`case`... start an expression (not a trailing modifier).
_EXPR_BEFORE = {"=", "(", ",", "[", "||", "&&", "return", "and", "or", "not", "<<", "=>", "?", "||=", "&&=", "+=", "!"}

_SCHEMA_OPS = {
    "create_table", "drop_table", "change_table", "rename_table", "add_column", "remove_column", "remove_columns",
    "change_column", "change_column_default", "change_column_null", "rename_column", "add_index", "remove_index",
    "rename_index", "add_reference", "remove_reference", "add_belongs_to", "remove_belongs_to", "add_foreign_key",
    "remove_foreign_key", "add_timestamps", "remove_timestamps", "create_join_table", "drop_join_table",
    "add_check_constraint", "remove_check_constraint", "add_unique_constraint", "remove_unique_constraint",
    "add_exclusion_constraint", "remove_exclusion_constraint", "enable_extension", "disable_extension",
    "create_enum", "drop_enum", "add_enum_value", "rename_enum", "rename_enum_value", "create_schema",
    "drop_schema", "change_column_comment", "change_table_comment", "create_virtual_table", "drop_virtual_table",
    "validate_foreign_key", "validate_check_constraint",
}
_SQL_CALLS = {"execute", "exec_query", "exec_update", "exec_insert", "exec_delete"}
# Data calls whatever the receiver is, and those that are data only on a model class (User.create).
_DATA_CALLS = {"update_all", "delete_all", "destroy_all", "find_each", "find_in_batches", "in_batches", "insert_all",
               "insert_all!", "upsert_all", "update_column", "update_columns", "increment_counter",
               "decrement_counter", "update_counters"}
_MODEL_DATA_CALLS = {"create", "create!", "update", "update!", "insert", "upsert", "delete", "destroy",
                     "find_or_create_by", "find_or_create_by!", "create_or_find_by", "create_with", "save", "save!"}
_EXPLICIT = {"reversible", "up_only", "revert"}
# The calls worth recording (others are skipped: a long argument list of helper calls stays cheap).
_RECORDED = _SCHEMA_OPS | _SQL_CALLS | _DATA_CALLS | _MODEL_DATA_CALLS | {"raise", "fail", "change", "remove",
                                                                          "change_default"}
_MAX_ARGS = 400  # tokens kept per call: options and the first string are all that is read
_ADAPTERS = {"postgresql": "postgresql", "postgis": "postgresql", "mysql2": "mysql", "trilogy": "mysql",
             "mysql": "mysql", "sqlite3": "sqlite", "sqlserver": "mssql", "oracle_enhanced": "oracle"}


def read(repo: Repository) -> list[History]:
    folders: dict[str, list[tuple[int, str, str, str]]] = {}
    for rel in repo.files:
        m = _FILE.match(rel)
        if m:
            folders.setdefault(m["root"], []).append((int(m["version"]), rel, m["version"], m["name"]))
    out = []
    for root, files in sorted(folders.items()):
        history = History("Rails", root, linear_by_design=True, dialect=_dialect(repo, root))
        for _, rel, version, name in sorted(files):
            r = _revision(repo, rel, version, name, history)
            if r is not None:
                history.revisions.append(r)
        chain(history.revisions)
        duplicates(history, key=lambda r: r.order_key[0], what="version")
        out.append(history)
    return out


def _dialect(repo: Repository, root: str) -> str:
    """The adapter of the app's config/database.yml when there is only one."""
    app = root.split("db/")[0] if not root.startswith("db/") else ""
    text = repo.text(f"{app}config/database.yml") or ""
    found = {_ADAPTERS.get(a, a) for a in re.findall(r"^\s*adapter:\s*[\"']?(\w+)", text, re.M)}
    return found.pop() if len(found) == 1 else ""


# -- scanning: strings out, code in ---------------------------------------------------------------

@dataclass
class _Str:
    value: str
    line: int
    interpolated: bool


class _RubySyntax(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def _quoted(text: str, i: int, close: str, opener: str | None, line: int) -> tuple[int, str, int]:
    """Scan a quoted literal from just after its opening delimiter: (index after it, value, newlines)."""
    depth, start, n = 0, i, len(text)
    interp = 0  # depth inside #{...}
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if interp:
            interp += (c == "{") - (c == "}")
        elif c == "#" and text.startswith("#{", i) and close != "'":
            interp = 1
            i += 2
            continue
        elif opener and c == opener:
            depth += 1
        elif c == close:
            if depth == 0:
                value = text[start:i]
                return i + 1, value, value.count("\n")
            depth -= 1
        i += 1
    raise _RubySyntax("unterminated string literal", line)


def _scan(text: str) -> tuple[str, list[_Str]]:
    """The code with every string, heredoc and comment replaced (line numbers kept) and the strings."""
    out: list[str] = []
    strings: list[_Str] = []
    heredocs: list[tuple[int, str, str]] = []  # (string index, terminator, "~"/"-"/"")
    i, n, line = 0, len(text), 1

    def last() -> str:
        """The last character of code emitted so far, spaces aside."""
        for piece in reversed(out):
            if piece.strip():
                return piece.rstrip()[-1]
        return ""

    def keep(value: str, at: int, interpolated: bool) -> str:
        strings.append(_Str(value, at, interpolated))
        return f" _S{len(strings) - 1}_ "

    while i < n:
        c = text[i]
        if (i == 0 or text[i - 1] == "\n") and c in "=_":
            if re.match(r"=begin\b", text[i:i + 7]):
                end = re.compile(r"^=end\b.*$", re.M).search(text, i)
                if not end:
                    raise _RubySyntax("=begin comment never closed by =end", line)
                skipped = text.count("\n", i, end.end())
                out.append("\n" * skipped)
                line += skipped
                i = end.end()
                continue
            if text[i:].split("\n", 1)[0].rstrip() == "__END__":  # the rest is data, not code
                break
        if c == "\n":
            out.append("\n")
            line += 1
            i += 1
            for idx, term, flavour in heredocs:  # heredoc bodies start on the line after their opener
                body: list[str] = []
                while True:
                    if i >= n:
                        raise _RubySyntax(f"heredoc <<{flavour}{term} never terminated", strings[idx].line)
                    j = text.find("\n", i)
                    j = n if j < 0 else j
                    raw = text[i:j]
                    i = j + 1
                    out.append("\n")
                    line += 1
                    if (raw.strip() if flavour else raw.rstrip("\r")) == term:
                        break
                    body.append(raw)
                value = "\n".join(body)
                strings[idx].value = textwrap.dedent(value) if flavour == "~" else value
                strings[idx].interpolated = strings[idx].interpolated and "#{" in value
            heredocs.clear()
            continue
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in "\"'`":
            start = line
            i, value, lines = _quoted(text, i + 1, c, None, line)
            out.append(keep(value, start, c != "'" and "#{" in value) + "\n" * lines)
            line += lines
            continue
        if c == "%" and i + 2 < n:
            kind, delim = (text[i + 1], text[i + 2]) if text[i + 1] in "qQwWiIrsx" else ("Q", text[i + 1])
            before = last()
            literal = (text[i + 1] in "qQwWiIrsx" and not delim.isalnum() and not delim.isspace()) or \
                (delim in "([{<|!/^" and not (before.isalnum() or before in ")]_"))
            if literal:
                start = line
                i, value, lines = _quoted(text, i + (3 if text[i + 1] in "qQwWiIrsx" else 2),
                                          _PAIRS.get(delim, delim), delim if delim in _PAIRS else None, line)
                out.append(keep(value, start, kind in "QWIrx" and "#{" in value) + "\n" * lines)
                line += lines
                continue
        if c == "<" and text.startswith("<<", i):
            m = _HEREDOC.match(text, i)
            if m and (m[1] or m[2] or m[3].isupper()):
                out.append(keep("", line, m[2] != "'"))
                heredocs.append((len(strings) - 1, m[3], m[1]))
                i = m.end()
                continue
        out.append(c)
        i += 1
    if heredocs:
        raise _RubySyntax(f"heredoc <<{heredocs[0][2]}{heredocs[0][1]} never terminated", line)
    return "".join(out), strings


# -- walking: blocks, defs and calls --------------------------------------------------------------

@dataclass(eq=False)
class _Block:
    kind: str  # class, module, def, if, ..., do, {
    label: str  # def name, class header, or the call a do/{ block belongs to
    line: int
    body_from: int = 0  # defs: first token of the body
    body_to: int = 0  # defs: the closing `end`
    parent: _Block | None = None  # defs: the block they are defined in


@dataclass(eq=False)
class _Call:
    name: str
    receiver: str
    line: int
    depth: int
    paren: int
    stack: tuple
    args: list = field(default_factory=list)
    has_block: bool = False


@dataclass
class _Tok:
    kind: str
    text: str
    line: int


def _tokens(code: str) -> list[_Tok]:
    out, line = [], 1
    for m in _TOKEN.finditer(code):
        kind, text = m.lastgroup or "other", m.group()
        if kind != "sp":
            out.append(_Tok(kind, text, line))
        line += text.count("\n")
    return out


def _walk(toks: list[_Tok]) -> tuple[list[_Block], list[_Block], list[_Call]]:
    """Follow the nesting: (classes, defs, calls); a broken nesting raises _RubySyntax."""
    stack: list[_Block] = []
    classes: list[_Block] = []
    defs: list[_Block] = []
    calls: list[_Call] = []
    open_calls: list[_Call] = []
    paren, seg, at_start, loop_do = 0, 0, True, False
    prev = ""  # previous token (not a line break)

    def end_statement(depth: int) -> None:
        open_calls[:] = [c for c in open_calls if c.depth < depth]

    def label_from(start: int, stop: int) -> str:
        parts = []
        for t in toks[start:stop]:
            if t.kind in ("word", "var") or t.text in (".", "&.", "::"):
                parts.append(t.text)
            else:
                break
        return "".join(parts).replace("&.", ".")

    def skip_params(j: int) -> int:
        while j < len(toks) and toks[j].kind == "nl":
            j += 1
        if j < len(toks) and toks[j].text == "|":
            k = j + 1
            while k < len(toks) and toks[k].text != "|" and toks[k].kind != "nl":
                k += 1
            return k + 1
        return j

    i = 0
    while i < len(toks):
        t = toks[i]
        x = t.text
        if t.kind == "nl":
            j = i + 1
            while j < len(toks) and toks[j].kind == "nl":
                j += 1
            if paren == 0 and prev not in _CONTINUES and not (j < len(toks) and toks[j].text in (".", "&.")):
                end_statement(len(stack))
                seg, at_start, loop_do = i + 1, True, False
            i += 1
            continue
        for c in open_calls:
            if len(c.args) < _MAX_ARGS:
                c.args.append(t)
        after_dot = prev in (".", "&.", "::")
        if x == ";":
            end_statement(len(stack))
            seg, at_start, loop_do = i + 1, True, False
        elif t.kind == "word" and x in ("class", "module") and not after_dot:
            j = i + 1
            header = []
            while j < len(toks) and toks[j].kind != "nl" and toks[j].text != ";":
                header.append(toks[j].text)
                j += 1
            block = _Block(x, " ".join(header), t.line)
            stack.append(block)
            if x == "class":
                classes.append(block)
            seg, at_start = j, True
            i = j
            continue
        elif t.kind == "word" and x == "def" and not after_dot:
            j = i + 1
            name = toks[j].text if j < len(toks) else ""
            if j + 2 < len(toks) and toks[j + 1].text == ".":  # def self.up
                j += 2
                name = toks[j].text
            j += 1
            if j < len(toks) and toks[j].text == "(":
                depth = 0
                while j < len(toks):
                    depth += (toks[j].text == "(") - (toks[j].text == ")")
                    j += 1
                    if depth == 0:
                        break
            if j < len(toks) and toks[j].text == "=":  # endless def: no `end`
                i = j + 1
                continue
            while j < len(toks) and toks[j].kind != "nl" and toks[j].text != ";":
                j += 1
            block = _Block("def", name, t.line, body_from=j, parent=stack[-1] if stack else None)
            stack.append(block)
            defs.append(block)
            seg, at_start = j, True
            i = j
            continue
        elif t.kind == "word" and x in ("if", "unless", "while", "until", "case", "begin", "for") and not after_dot:
            if at_start or prev in _EXPR_BEFORE:
                stack.append(_Block(x, "", t.line))
                loop_do = x in ("while", "until", "for")
        elif t.kind == "word" and x == "do" and not after_dot:
            if loop_do:
                loop_do = False
            else:
                depth = len(stack)
                bound = [c for c in open_calls if c.depth == depth and c.paren == paren]
                if bound:
                    bound[0].has_block = True
                    open_calls[:] = [c for c in open_calls if not (c.depth == depth and c.paren >= paren)]
                stack.append(_Block("do", label_from(seg, i), t.line))
                i = seg = skip_params(i + 1)
                at_start, prev = True, "do"
                continue
        elif x == "{" and t.kind == "op":
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            is_block = (nxt is not None and nxt.text == "|") or prev == ")" or \
                (toks[i - 1].kind == "word" and prev not in _KEYWORDS if i else False)
            depth = len(stack)
            if is_block:
                bound = [c for c in open_calls if c.depth == depth and c.paren == paren]
                if bound:
                    bound[-1].has_block = True
                    open_calls.remove(bound[-1])
                stack.append(_Block("{", label_from(seg, i), t.line))
                i = seg = skip_params(i + 1)
                at_start, prev = True, "{"
                continue
            stack.append(_Block("{", "hash", t.line))
        elif (t.kind == "word" and x == "end" and not after_dot) or (x == "}" and t.kind == "op"):
            if not stack:
                raise _RubySyntax(f"unexpected `{x}` with nothing open", t.line)
            top = stack[-1]
            if (x == "}") != (top.kind == "{"):
                raise _RubySyntax(f"`{x}` at line {t.line} closes `{top.kind}` opened at line {top.line}", t.line)
            end_statement(len(stack))
            stack.pop()
            if top.kind == "def":
                top.body_to = i
            at_start = False
        elif x in ("(", "["):
            paren += 1
        elif x in (")", "]"):
            paren = max(0, paren - 1)
        elif t.kind == "word" and x in ("then", "else", "elsif", "when", "rescue", "ensure") and not after_dot:
            at_start = True
            prev = x
            i += 1
            continue
        elif t.kind == "word" and x in _RECORDED:
            receiver = toks[i - 2].text if after_dot and i >= 2 else ""
            call = _Call(x, receiver, t.line, len(stack), paren, tuple(stack))
            calls.append(call)
            open_calls.append(call)
        at_start = False
        prev = x
        i += 1
    if stack:
        b = stack[-1]
        raise _RubySyntax(f"`{b.kind}` opened at line {b.line} is never closed ({len(stack)} block(s) missing `end`)",
                          b.line)
    return classes, defs, calls


# -- one migration file ---------------------------------------------------------------------------

def _args(call: _Call) -> tuple[list[list[_Tok]], set[str]]:
    """Positional arguments and option names of a call (up to a trailing `if`/`unless` modifier)."""
    toks = []
    for t in call.args:
        if t.kind == "word" and t.text in ("if", "unless", "rescue", "and", "or"):
            break
        toks.append(t)
    if toks and toks[0].text == "(":
        depth = 0
        for k, t in enumerate(toks):
            depth += (t.text in "([{") - (t.text in ")]}")
            if depth == 0:
                toks = toks[1:k]
                break
    parts: list[list[_Tok]] = [[]]
    depth = 0
    for t in toks:
        if t.text in ("(", "[", "{"):
            depth += 1
        elif t.text in (")", "]", "}"):
            depth -= 1
        if t.text == "," and depth == 0:
            parts.append([])
        else:
            parts[-1].append(t)
    parts = [p for p in parts if p]
    options = {p[0].text.rstrip(":") for p in parts if p[0].kind == "key"}
    options |= {p[0].text.lstrip(":") for p in parts if len(p) > 1 and p[1].text == "=>"}
    positional = [p for p in parts if p[0].kind != "key" and not (len(p) > 1 and p[1].text == "=>")]
    return positional, options


def _irreversible(call: _Call, in_change_table: bool) -> str:
    """Why Rails cannot invert this call inside `change` ('' when it can)."""
    positional, options = _args(call)
    name = call.name
    if in_change_table:
        if name == "change":
            return "change_table's t.change"
        if name == "remove" and "type" not in options:
            return "change_table's t.remove without type:"
        if name == "remove_index" and len(positional) < 1 and "column" not in options:
            return "change_table's t.remove_index without a column"
        if name == "change_default" and not {"from", "to"} <= options:
            return "change_table's t.change_default without from:/to:"
        return ""
    if call.receiver:
        return ""
    if name in _SQL_CALLS:
        return name
    if name == "change_column":
        return "change_column"
    if name == "remove_column" and len(positional) < 3 and "type" not in options:
        return "remove_column without a type"
    if name == "remove_columns" and "type" not in options:
        return "remove_columns without type:"
    if name == "remove_index" and len(positional) < 2 and "column" not in options:
        return "remove_index without a column"
    if name in ("change_column_default", "change_column_comment", "change_table_comment") \
            and not {"from", "to"} <= options:
        return f"{name} without from:/to:"
    if name == "drop_table" and not call.has_block:
        return "drop_table without a block"
    if name == "remove_foreign_key" and len(positional) < 2 and "to_table" not in options:
        return "remove_foreign_key without the referenced table"
    if name == "remove_check_constraint" and len(positional) < 2:
        return "remove_check_constraint without its expression"
    return ""


def _direction(call: _Call, method: _Block) -> tuple[str, bool]:
    """(up/down/both/revert, explicitly handled) of a call inside `change`."""
    direction, explicit, inside = "both", False, False
    for b in call.stack:
        if b is method:
            inside = True
            continue
        if not inside:
            continue
        label = b.label
        if label in _EXPLICIT:
            explicit = True
            direction = {"up_only": "up", "revert": "revert"}.get(label, direction)
        elif label.endswith(".up"):
            direction = "up"
        elif label.endswith(".down"):
            direction = "down"
    return direction, explicit


def _revision(repo: Repository, rel: str, version: str, name: str, history: History) -> Revision | None:
    text = repo.text(rel)
    if text is None:
        why = "larger than the size cap" if rel in repo.stats.skipped_large else "binary or unreadable"
        history.problems.append(Problem(rel, f"could not be read ({why})"))
        return None
    if "\ufffd" in text:
        history.problems.append(Problem(rel, "not UTF-8 text: Ruby refuses invalid multibyte characters"))
    if not text.strip():
        history.problems.append(Problem(rel, "empty file: no migration class in it"))
        return None
    conflict = _CONFLICT.search(text)
    if conflict:
        history.problems.append(Problem(rel, "unresolved merge conflict markers", text.count("\n", 0, conflict.start())
                                        + 1))
        return None
    try:
        code, strings = _scan(text)
        toks = _tokens(code)
        classes, defs, calls = _walk(toks)
    except _RubySyntax as exc:
        history.problems.append(Problem(rel, f"Ruby syntax error: {exc}", exc.line))
        return None
    migration = next((c for c in classes if re.search(r"<\s*(::\s*)?ActiveRecord\s*::\s*Migration\b", c.label)),
                     None) or next((c for c in classes if "Migration" in c.label.split("<")[-1]), None)
    if migration is None:
        history.problems.append(Problem(rel, "no class inheriting from ActiveRecord::Migration"))
        return None
    methods = {d.label: d for d in reversed(defs) if d.parent is migration}  # the first of a name wins
    r = Revision(f"{version}_{name}", (), rel, migration.line, name=name, order_key=(int(version),),
                 down=Down.OK)

    def body(method: _Block | None) -> list[_Tok]:
        if method is None:
            return []
        return [t for t in toks[method.body_from:method.body_to] if t.kind != "nl" and t.text != ";"]

    def inside(call: _Call, method: _Block | None) -> bool:
        return method is not None and any(b is method for b in call.stack)

    change, up, down = methods.get("change"), methods.get("up"), methods.get("down")
    up_calls: list[_Call] = []
    down_calls: list[_Call] = []
    if change is not None:
        reasons = []
        for call in calls:
            if not inside(call, change):
                continue
            direction, explicit = _direction(call, change)
            if direction in ("up", "both"):
                up_calls.append(call)
            elif direction == "down":
                down_calls.append(call)
            innermost = call.stack[-1] if call.stack else None
            in_change_table = innermost is not None and innermost.kind in ("do", "{") and \
                innermost.label == "change_table" and bool(call.receiver)
            if not explicit:
                why = _irreversible(call, in_change_table)
                if why and why not in reasons:
                    reasons.append(why)
            elif direction == "down" and call.name == "raise":
                r.down, r.down_detail = Down.IRREVERSIBLE, "change raises when rolled back (reversible's dir.down)"
        if not body(change):
            r.down, r.down_detail, r.up_empty = Down.EMPTY, "change does nothing", True
        elif reasons:
            r.down = Down.IRREVERSIBLE
            r.down_detail = f"change uses {', '.join(reasons[:3])} outside reversible/up_only: " \
                "Rails cannot roll it back"
    else:
        up_calls = [c for c in calls if inside(c, up)]
        down_calls = [c for c in calls if inside(c, down)]
        r.up_empty = not body(up)
        down_body = body(down)
        if down is None:
            r.down, r.down_detail = Down.MISSING, "no down method" + (" (def up without def down)" if up else "")
            if up is None:
                r.down, r.down_detail = Down.EMPTY, "defines neither change nor up/down"
        elif not down_body:
            r.down, r.down_detail = Down.EMPTY, "down does nothing"
        elif down_body[0].text in ("raise", "fail"):
            raised = _raised(toks, toks.index(down_body[0]), strings)
            r.down = Down.IRREVERSIBLE if raised.startswith("ActiveRecord::IrreversibleMigration") else Down.RAISES
            r.down_detail = f"down raises {raised}"
    r.up_sql, r.down_sql = _sql(up_calls, strings), _sql(down_calls, strings)
    for call in up_calls:
        if call.name in _SCHEMA_OPS and not call.receiver:
            r.schema_change = True
            r.operations.append(call.name)
        elif call.name in _SQL_CALLS:
            r.operations.append(call.name)
            for s in _strings_of(call, strings):
                data, schema = sql_kind(s.value)
                r.data_change, r.schema_change = r.data_change or data, r.schema_change or schema
        elif call.name in _DATA_CALLS or (call.name in _MODEL_DATA_CALLS and call.receiver[:1].isupper()):
            r.data_change = True
            r.operations.append(call.name)
    return r


def _raised(toks: list[_Tok], at: int, strings: list[_Str]) -> str:
    """What a `raise` statement raises: "Class: message" (a bare message is a RuntimeError)."""
    name, message = "", ""
    for t in toks[at + 1:]:
        if t.kind == "nl" or t.text == ";":
            break
        m = _PLACEHOLDER.match(t.text)
        if m:
            message = message or strings[int(m[1])].value
        elif not message and (t.kind == "word" or t.text == "::"):
            name += t.text
    return f"{name or 'RuntimeError'}: {message}" if message else name or "RuntimeError"


def _strings_of(call: _Call, strings: list[_Str]) -> list[_Str]:
    positional, _ = _args(call)
    if not positional:
        return []
    return [strings[int(m[1])] for t in positional[0] if (m := _PLACEHOLDER.match(t.text))]


def _sql(calls: list[_Call], strings: list[_Str]) -> str | None:
    """The literal SQL of execute calls, in order; strings built at run time (#{...}) are left out."""
    parts = []
    for call in calls:
        if call.name not in _SQL_CALLS:
            continue
        found = _strings_of(call, strings)
        if not found or any(s.interpolated for s in found):
            continue
        parts.append("".join(s.value for s in found).strip().rstrip(";"))
    parts = [p for p in parts if p]
    return ";\n".join(parts) + ";" if parts else None
