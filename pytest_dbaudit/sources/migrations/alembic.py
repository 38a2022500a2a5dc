"""Alembic: every ``alembic.ini`` section (and ``[tool.alembic]``) with a script location, every version
location, revisions read from the files' ``revision``/``down_revision`` and ``upgrade``/``downgrade``."""

from __future__ import annotations

import ast
import configparser
import posixpath

from ..structured import ParseError, parsed
from ..walk import Repository
from .model import Down, History, Problem, Revision, duplicates, sql_kind
from .pyast import assignments, body_kind, call_name, calls, function, literal, string_of

_SCHEMA_OPS = {"create_table", "drop_table", "add_column", "drop_column", "alter_column", "create_index",
               "drop_index", "create_foreign_key", "create_unique_constraint", "create_check_constraint",
               "create_primary_key", "drop_constraint", "rename_table", "batch_alter_table", "create_exclude_constraint",
               "create_table_comment", "create_sequence", "drop_sequence"}
_DATA_OPS = {"bulk_insert"}


def read(repo: Repository) -> list[History]:
    out: list[History] = []
    seen: set[tuple[str, ...]] = set()
    for config, here, options in _configs(repo):
        script = options.get("script_location", "").replace("%(here)s", here).strip()
        if not script or ":" in script.split("/")[0]:  # "package:path" locations live in installed packages
            continue
        script = posixpath.normpath(posixpath.join(here, script)) if not script.startswith("/") else script
        parts = _split_locations(options.get("version_locations", "").replace("%(here)s", here),
                                 options.get("version_path_separator", ""))
        locations = [posixpath.normpath(posixpath.join(here, p.strip())) for p in parts if p.strip()] or \
            [posixpath.join(script, "versions")]
        key = tuple(sorted(locations))
        if key in seen:  # several sections sharing one history: read once
            continue
        seen.add(key)
        history = History("Alembic", locations[0], config)
        for loc in locations:
            prefix = "" if loc in (".", "") else loc.rstrip("/") + "/"
            for rel in repo.files:
                if rel.startswith(prefix) and rel.endswith(".py") and "/" not in rel[len(prefix):] \
                        and not rel.endswith("__init__.py"):
                    _revision(repo, rel, history)
        duplicates(history)
        out.append(history)
    return out


def _split_locations(raw: str, separator: str) -> list[str]:
    """version_locations split as Alembic does: by version_path_separator, else by spaces or commas."""
    if not raw.strip():
        return []
    sep = {"os": ":", ":": ":", ";": ";", "newline": "\n", "space": " "}.get(separator.strip())
    if sep:
        return [p for p in raw.split(sep) if p.strip()]
    return [p for p in raw.replace(",", " ").split() if p.strip()]


def _configs(repo: Repository):
    """(where, directory, options) for each ini section or pyproject table that configures Alembic."""
    for rel in repo.by_name("alembic.ini"):
        here = rel.rsplit("/", 1)[0] if "/" in rel else ""
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(repo.text(rel) or "")
        except configparser.Error as exc:
            yield f"{rel} (unreadable: {str(exc).splitlines()[0]})", here, {}
            continue
        for section in parser.sections():
            if parser.has_option(section, "script_location"):
                yield f"{rel}[{section}]", here or ".", dict(parser.items(section))
    for rel in repo.by_name("pyproject.toml"):
        data = parsed(repo, rel, "toml")
        if isinstance(data, ParseError) or not isinstance(data, dict):
            continue
        table = data.get("tool", {}).get("alembic")
        if isinstance(table, dict) and table.get("script_location"):
            here = rel.rsplit("/", 1)[0] if "/" in rel else "."
            opts = {k: (" ".join(v) if isinstance(v, list) else str(v)) for k, v in table.items()}
            yield f"{rel}[tool.alembic]", here, opts


def _revision(repo: Repository, rel: str, history: History) -> None:
    text = repo.text(rel)
    if text is None:
        history.problems.append(Problem(rel, "could not be read"))
        return
    try:
        tree = ast.parse(text, filename=rel)
    except SyntaxError as exc:
        history.problems.append(Problem(rel, f"syntax error: {exc.msg}", exc.lineno or 0))
        return
    names = assignments(tree)
    rev = literal(names.get("revision"))
    if not isinstance(rev, str):
        history.problems.append(Problem(rel, "no literal revision = '...' (not an Alembic revision file?)"))
        return
    down = literal(names.get("down_revision")) if "down_revision" in names else None
    parents = tuple(down) if isinstance(down, (tuple, list)) else (down,) if isinstance(down, str) else ()
    up_fn, down_fn = function(tree, "upgrade"), function(tree, "downgrade")
    kind, detail = body_kind(down_fn)
    if down_fn is None:
        detail = "no downgrade() function"
    up_kind, _ = body_kind(up_fn)
    r = Revision(rev, parents, rel, names["revision"].lineno if hasattr(names["revision"], "lineno") else 1,
                 name=(ast.get_docstring(tree) or "").splitlines()[0] if ast.get_docstring(tree) else "",
                 down=kind, down_detail=detail, up_empty=up_kind in (Down.EMPTY, Down.MISSING))
    sql: list[str] = []
    for call in calls(up_fn) if up_fn else []:
        op = call_name(call)
        if op in _SCHEMA_OPS:
            r.schema_change = True
            r.operations.append(op)
        elif op in _DATA_OPS:
            r.data_change = True
            r.operations.append(op)
        elif op == "execute":
            r.operations.append("execute")
            s = string_of(call.args[0]) if call.args else None
            if s is None:
                r.data_change = True  # an execute() of a built statement (select/update objects): data
                continue
            sql.append(s)
            data, schema = sql_kind(s)
            r.data_change, r.schema_change = r.data_change or data, r.schema_change or schema
    if sql:
        r.up_sql = ";\n".join(s.strip().rstrip(";") for s in sql) + ";"
    history.revisions.append(r)
