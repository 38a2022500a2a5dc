"""Does a column default force PostgreSQL to rewrite the table?

From PostgreSQL 11, ADD COLUMN with a default evaluates a non-volatile default once and stores it
in the catalog, so no row is touched. A volatile default (random(), clock_timestamp(),
gen_random_uuid(), nextval()) must be computed per row: the table is rewritten under an ACCESS
EXCLUSIVE lock. Function volatility comes from PostgreSQL's own catalog (the two lists next to
this file); a function in neither list is user-defined and its volatility is unknown here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from . import nodes as n

_HERE = Path(__file__).parent


@cache
def _names(filename: str) -> frozenset[str]:
    lines = (_HERE / filename).read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip() for x in lines if x.strip() and not x.startswith("#"))


def volatile_functions() -> frozenset[str]:
    return _names("functions_volatile.txt")


def nonvolatile_functions() -> frozenset[str]:
    return _names("functions_nonvolatile.txt")


def rewrite_reason(expr: dict | None) -> str:
    """Why evaluating ``expr`` per row is needed ("random() is volatile"), or "" when it is not."""
    if expr is None:
        return ""
    for fc in (node for kind, node in n.walk(expr) if kind == "FuncCall"):
        name = n.func_name(fc)
        if name in volatile_functions():
            return f"{name}() is volatile"
        if name not in nonvolatile_functions():
            return f"the volatility of {name}() is unknown here (a user-defined function)"
    return ""


def is_null(expr: dict | None) -> bool:
    return bool(expr) and expr.get("A_Const", {}).get("isnull", False)
