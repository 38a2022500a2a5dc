"""Reading Python migration files (Alembic, Django) with the ``ast`` module: no import, no execution."""

from __future__ import annotations

import ast

from .model import Down



def literal(node: ast.AST | None):
    """A literal value, or None when the expression is not one."""
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return None


def assignments(tree: ast.Module) -> dict[str, ast.AST]:
    """Module-level ``name = value`` and ``name: type = value``."""
    out: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    out[t.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            out[node.target.id] = node.value
    return out


def function(tree: ast.AST, name: str) -> ast.FunctionDef | None:
    for node in getattr(tree, "body", []):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    return None


def body_kind(fn: ast.FunctionDef | None) -> tuple[Down, str]:
    """What a downgrade()-like function does: nothing, raise, or something."""
    if fn is None:
        return Down.MISSING, f"no {fn_name(fn)} function"
    stmts = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if not stmts or all(isinstance(s, ast.Pass) for s in stmts):
        return Down.EMPTY, f"{fn.name}() does nothing"
    if isinstance(stmts[0], ast.Raise):
        exc = stmts[0].exc
        name = getattr(getattr(exc, "func", exc), "id", None) or getattr(getattr(exc, "func", exc), "attr", "")
        return Down.RAISES, f"{fn.name}() raises {name or 'an exception'}"
    return Down.OK, ""


def fn_name(fn) -> str:
    return fn.name if fn is not None else "downgrade()"


def calls(node: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Call)]


def call_name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def string_of(node: ast.AST | None) -> str | None:
    """A literal string, including ``sa.text("...")`` / ``text("...")`` wrappers and Django's lists of
    statements (joined into one script)."""
    if isinstance(node, ast.Call) and call_name(node) == "text" and node.args:
        node = node.args[0]
    value = literal(node)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return ";\n".join(v.strip().rstrip(";") for v in value) + ";"
    return value if isinstance(value, str) else None
