"""Django models against Django migrations, without running Django: the fields ``models.py`` declares
and the ones the app's migrations leave after replaying the CreateModel / AddField / RemoveField /
RenameField / DeleteModel / RenameModel changes the migrations reader recorded (what ``makemigrations
--check`` compares). Models whose bases cannot be read (mixins from elsewhere) are reported as not
compared, never guessed."""

from __future__ import annotations

import ast

from .pyast import call_name, literal


def migrated_models(history) -> dict[str, set[str]]:
    """Model (lower-case) -> field names after the app's migrations, replayed in their order from the
    model changes the migrations reader recorded."""
    models: dict[str, set[str]] = {}
    for r in history.ordered():
        for op, model, *rest in r.model_changes:
            if op == "CreateModel":
                models[model] = set(rest)
            elif op == "DeleteModel":
                models.pop(model, None)
            elif op == "RenameModel":
                if model in models:
                    models[rest[0]] = models.pop(model)
            elif op == "AddField":
                models.setdefault(model, set()).add(rest[0])
            elif op == "RemoveField":
                models.setdefault(model, set()).discard(rest[0])
            elif op == "RenameField" and rest[0] in models.get(model, ()):
                models[model].discard(rest[0])
                models[model].add(rest[1])
    return models


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
