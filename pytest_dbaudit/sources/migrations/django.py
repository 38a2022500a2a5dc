"""Django: one history per app (``<app>/migrations/NNNN_name.py``), parents from ``dependencies`` within
the app, reversibility from the operations (RunPython / RunSQL without a reverse are irreversible)."""

from __future__ import annotations

import ast
import re

from ..walk import Repository
from .model import Down, History, Problem, Revision, duplicates, sql_kind
from .pyast import call_name, literal, string_of

_NAME = re.compile(r"^(\d{4})_\w+\.py$")
_SCHEMA_OPS = {"CreateModel", "DeleteModel", "AddField", "RemoveField", "AlterField", "RenameField", "RenameModel",
               "AddIndex", "RemoveIndex", "RenameIndex", "AddConstraint", "RemoveConstraint", "AlterUniqueTogether",
               "AlterIndexTogether", "AlterModelTable", "AlterOrderWithRespectTo"}


def read(repo: Repository) -> list[History]:
    apps: dict[str, History] = {}
    for rel in repo.files:
        parts = rel.split("/")
        if len(parts) < 3 or parts[-2] != "migrations" or not _NAME.match(parts[-1]):
            continue
        text = repo.text(rel) or ""
        if "Migration" not in text:
            continue
        folder = "/".join(parts[:-1])
        history = apps.get(folder)
        if history is None:
            history = apps[folder] = History("Django", folder)
        _revision(rel, parts[-3], parts[-1][:-3], text, history)
    for history in apps.values():  # equal numbers are normal in Django (branches before a merge); ids are not
        duplicates(history)
    return list(apps.values())


def _migration_class(tree: ast.Module) -> ast.ClassDef | None:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Migration":
            return node
    return None


def _revision(rel: str, app: str, name: str, text: str, history: History) -> None:
    try:
        tree = ast.parse(text, filename=rel)
    except SyntaxError as exc:
        history.problems.append(Problem(rel, f"syntax error: {exc.msg}", exc.lineno or 0))
        return
    cls = _migration_class(tree)
    if cls is None:
        history.problems.append(Problem(rel, "no Migration class"))
        return
    attrs = {t.id: n.value for n in cls.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    parents = []
    for dep in getattr(attrs.get("dependencies"), "elts", []):
        value = literal(dep)
        if isinstance(value, tuple) and len(value) == 2 and value[0] == app:
            parents.append(f"{app}.{value[1]}")
    r = Revision(f"{app}.{name}", tuple(parents), rel, cls.lineno, name=name, down=Down.OK,
                 order_key=(int(name[:4]),))
    ops = getattr(attrs.get("operations"), "elts", None)
    if ops is None and "operations" in attrs:
        history.problems.append(Problem(rel, "operations is not a literal list: not read", cls.lineno))
        ops = []
    _operations(ops or [], r)
    r.up_empty = not ops
    history.revisions.append(r)


# operation -> the arguments (positional or keyword) that change the model state
_STATE_ARGS = {"CreateModel": ("name", "fields"), "DeleteModel": ("name",), "RenameModel": ("old_name", "new_name"),
               "AddField": ("model_name", "name"), "RemoveField": ("model_name", "name"),
               "RenameField": ("model_name", "old_name", "new_name")}


def _model_change(op: ast.Call) -> tuple[str, ...] | None:
    """("CreateModel", "order", "id", "total") / ("AddField", "order", "note") / ...: names lower-cased for
    models, as Django keys its state; None for operations that leave the model state alone."""
    name = call_name(op)
    names = _STATE_ARGS.get(name)
    if names is None:
        return None
    kw = {k.arg: k.value for k in op.keywords if k.arg}
    args = [kw.get(n, op.args[i] if i < len(op.args) else None) for i, n in enumerate(names)]
    if name == "CreateModel":
        fields = [literal(f.elts[0]) for f in getattr(args[1], "elts", []) if isinstance(f, ast.Tuple) and f.elts]
        return (name, str(literal(args[0])).lower(), *(f for f in fields if isinstance(f, str)))
    values = [str(literal(a)) for a in args]
    if name == "RenameModel":
        return (name, values[0].lower(), values[1].lower())
    return (name, values[0].lower(), *values[1:]) if len(values) > 1 else (name, values[0].lower())


def _operations(ops: list[ast.AST], r: Revision, state: bool = True) -> None:
    """Read the operations into ``r``; ``state``: they change the model state too (not a
    SeparateDatabaseAndState's database_operations)."""
    sql = []
    for op in ops:
        if not isinstance(op, ast.Call):
            continue
        name = call_name(op)
        r.operations.append(name)
        kw = {k.arg: k.value for k in op.keywords if k.arg}
        if name == "SeparateDatabaseAndState":
            inner = kw.get("database_operations") or (op.args[0] if op.args else None)
            _operations(getattr(inner, "elts", []), r, state=False)
            changes = kw.get("state_operations") or (op.args[1] if len(op.args) > 1 else None)
            r.model_changes += [c for s in getattr(changes, "elts", []) if isinstance(s, ast.Call)
                                for c in [_model_change(s)] if c]
            continue
        change = _model_change(op) if state else None
        if change:
            r.model_changes.append(change)
        if name in _SCHEMA_OPS:
            r.schema_change = True
        elif name == "RunPython":
            r.data_change = True
            reverse = kw.get("reverse_code") or (op.args[1] if len(op.args) > 1 else None)
            if reverse is None or literal(reverse) is None and isinstance(reverse, ast.Constant):
                r.down, r.down_detail = Down.IRREVERSIBLE, f"RunPython at line {op.lineno} has no reverse_code"
        elif name == "RunSQL":
            forward = kw.get("sql") or (op.args[0] if op.args else None)
            s = string_of(forward)
            if s:
                sql.append(s)
                data, schema = sql_kind(s)
                r.data_change, r.schema_change = r.data_change or data, r.schema_change or schema
            reverse = kw.get("reverse_sql") or (op.args[1] if len(op.args) > 1 else None)
            if reverse is None:
                r.down, r.down_detail = Down.IRREVERSIBLE, f"RunSQL at line {op.lineno} has no reverse_sql"
            elif string_of(reverse):
                r.down_sql = (r.down_sql or "") + string_of(reverse)
    if sql:
        r.up_sql = ";\n".join(s.strip().rstrip(";") for s in sql) + ";"
