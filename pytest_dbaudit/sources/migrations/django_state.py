"""Django models against Django migrations, without running Django: the fields ``models.py`` declares
and the ones the app's migrations leave after replaying CreateModel / AddField / RemoveField /
RenameField / DeleteModel / RenameModel (what ``makemigrations --check`` compares). Models whose bases
cannot be read (mixins from elsewhere) are reported as not compared, never guessed."""

from __future__ import annotations

import ast

from ..walk import Repository
from .pyast import call_name, literal


def _args(call: ast.Call, *names: str) -> list:
    """Positional-or-keyword arguments of a migration operation, as literals where they are."""
    kw = {k.arg: k.value for k in call.keywords if k.arg}
    return [kw.get(n, call.args[i] if i < len(call.args) else None) for i, n in enumerate(names)]


def migrated_models(repo: Repository, history) -> dict[str, set[str]]:
    """Model (lower-case) -> field names after the app's migrations, in their order."""
    models: dict[str, set[str]] = {}
    for r in history.ordered():
        try:
            tree = ast.parse(repo.text(r.file) or "")
        except SyntaxError:
            continue  # reported by MG-02 as a broken file
        cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Migration"), None)
        ops = next((n.value for n in getattr(cls, "body", []) if isinstance(n, ast.Assign)
                    and any(getattr(t, "id", "") == "operations" for t in n.targets)), None)
        for op in getattr(ops, "elts", []):
            if isinstance(op, ast.Call):
                _replay(op, models)
    return models


def _replay(op: ast.Call, models: dict[str, set[str]]) -> None:
    name = call_name(op)
    if name == "CreateModel":
        model, fields = _args(op, "name", "fields")
        names = {literal(f.elts[0]) for f in getattr(fields, "elts", []) if isinstance(f, ast.Tuple) and f.elts}
        models[str(literal(model)).lower()] = {n for n in names if isinstance(n, str)}
    elif name == "DeleteModel":
        models.pop(str(literal(_args(op, "name")[0])).lower(), None)
    elif name == "RenameModel":
        old, new = (str(literal(a)).lower() for a in _args(op, "old_name", "new_name"))
        if old in models:
            models[new] = models.pop(old)
    elif name in ("AddField", "RemoveField", "RenameField"):
        model = str(literal(_args(op, "model_name")[0])).lower()
        fields = models.setdefault(model, set())
        if name == "AddField":
            fields.add(str(literal(_args(op, "model_name", "name")[1])))
        elif name == "RemoveField":
            fields.discard(str(literal(_args(op, "model_name", "name")[1])))
        else:
            _, old, new = (literal(a) for a in _args(op, "model_name", "old_name", "new_name"))
            if old in fields:
                fields.discard(old)
                fields.add(new)
    elif name == "SeparateDatabaseAndState":
        state = _args(op, "database_operations", "state_operations")[1]
        for inner in getattr(state, "elts", []):
            if isinstance(inner, ast.Call):
                _replay(inner, models)


def declared_models(texts: list[str]) -> tuple[dict[str, set[str]], list[str]]:
    """Model (lower-case) -> field names declared in the app's models modules, and the models that could
    not be read (a base class from elsewhere)."""
    classes = {n.name: n for text in texts for n in _parse(text) if isinstance(n, ast.ClassDef)}
    out: dict[str, set[str]] = {}
    unread: list[str] = []

    def meta(cls: ast.ClassDef, key: str) -> bool:
        inner = next((n for n in cls.body if isinstance(n, ast.ClassDef) and n.name == "Meta"), None)
        return any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == key for t in n.targets)
                   and literal(n.value) is True for n in getattr(inner, "body", []))

    def fields(cls: ast.ClassDef, seen: set[str]) -> set[str] | None:
        own = {t.id for n in cls.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
               and call_name(n.value).endswith(("Field", "ForeignKey", "OneToOneField", "ManyToManyField"))
               for t in n.targets if isinstance(t, ast.Name)}
        for base in cls.bases:
            name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
            if name == "Model":
                continue
            parent = classes.get(name)
            if parent is None or name in seen or not meta(parent, "abstract"):
                return None  # a concrete parent (multi-table inheritance) or a class from elsewhere
            inherited = fields(parent, seen | {name})
            if inherited is None:
                return None
            own |= inherited
        return own

    for name, cls in classes.items():
        if not _is_model(cls, classes) or meta(cls, "abstract") or meta(cls, "proxy"):
            continue
        found = fields(cls, {name})
        if found is None:
            unread.append(name)
            continue
        pk = any(isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
                 and any(k.arg == "primary_key" and literal(k.value) is True for k in n.value.keywords)
                 for n in cls.body)
        out[name.lower()] = found | (set() if pk else {"id"})
    return out, unread


def _is_model(cls: ast.ClassDef, classes: dict, depth: int = 0) -> bool:
    for base in cls.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        if name == "Model" or (name in classes and depth < 10 and _is_model(classes[name], classes, depth + 1)):
            return True
    return False


def _parse(text: str) -> list:
    try:
        return ast.parse(text).body
    except SyntaxError:
        return []
