"""The rule registry: every rule is one decorated function whose docstring says why it matters.

::

    @postgres_rule("require-concurrent-index-creation", on=("IndexStmt",), severity="High",
                   squawk="require-concurrent-index-creation", strong_migrations="add_index",
                   summary="CREATE INDEX without CONCURRENTLY on an existing table",
                   fix="CREATE INDEX CONCURRENTLY, outside a transaction block")
    def require_concurrent_index_creation(stmt, state):
        \"\"\"A plain CREATE INDEX holds a SHARE lock for the whole build: every write waits.\"\"\"
        if ...:
            yield "message for this statement"

A check receives each statement matching ``on`` (every statement when empty) and the migration's
running state, and yields messages; it may yield ``(message, other_statement)`` to report at
another statement. ``on`` holds statement kinds ("IndexStmt", sqlglot's "Alter") or, for
PostgreSQL's ALTER TABLE, single actions ("AlterTableStmt.AddColumn"), so a rule about one action
is not run for the others.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

Check = Callable[[Any, Any], Iterable[Any]]

SEVERITIES = ("Critical", "High", "Medium", "Low")
DIALECTS = ("postgresql", "mysql")
# Modules that define rules, imported on first use so `import pytest_dbaudit.sqlrules` stays cheap.
_MODULES = {
    "postgresql": ["indexes", "constraints", "columns", "column_types", "destructive", "renames", "enums",
                   "transactions", "timeouts", "maintenance", "names"],
    "mysql": ["online_ddl", "columns", "destructive"],
}


@dataclass(frozen=True)
class Rule:
    id: str
    dialect: str  # "postgresql", "mysql", or "any" for the suppression rules
    severity: str
    summary: str  # what it flags, one line
    why: str  # why it matters (the check's docstring)
    fix: str  # the safe alternative
    squawk: str = ""  # squawk's rule name, when squawk has this rule
    strong_migrations: str = ""  # strong_migrations' check key, when it has one
    versions: str = ""  # how the server version changes the verdict
    on: tuple[str, ...] = ()  # statement kinds (or ALTER TABLE actions) the check looks at; () = all
    default: bool = True  # False: off unless enabled by name
    check: Check | None = None

    @property
    def anchor(self) -> str:
        parts = [f"squawk:{self.squawk}" if self.squawk else "",
                 f"strong_migrations:{self.strong_migrations}" if self.strong_migrations else ""]
        return ", ".join(p for p in parts if p) or "dbaudit"


_RULES: dict[str, dict[str, Rule]] = {"postgresql": {}, "mysql": {}, "any": {}}
_loaded: set[str] = set()


def _register(dialect: str, rule_id: str, *, severity: str, summary: str, fix: str, squawk: str = "",
              strong_migrations: str = "", versions: str = "", on: tuple[str, ...] = (), default: bool = True,
              why: str = "", check: Check | None = None) -> Rule:
    if severity not in SEVERITIES:
        raise ValueError(f"{rule_id}: severity {severity!r} not in {SEVERITIES}")
    if rule_id in _RULES[dialect]:
        raise ValueError(f"{dialect} rule {rule_id} is defined twice")
    doc = inspect.cleandoc(check.__doc__ or "") if check else why
    r = Rule(rule_id, dialect, severity, summary, doc, fix, squawk, strong_migrations, versions, tuple(on),
             default, check)
    _RULES[dialect][rule_id] = r
    return r


def _decorator(dialect: str) -> Callable[..., Callable[[Check], Check]]:
    def rule(rule_id: str, **meta: Any) -> Callable[[Check], Check]:
        def deco(fn: Check) -> Check:
            _register(dialect, rule_id, check=fn, **meta)
            return fn
        return deco
    return rule


postgres_rule = _decorator("postgresql")
mysql_rule = _decorator("mysql")


def meta_rule(rule_id: str, **meta: Any) -> Rule:
    """A rule reported by the engine itself (suppression hygiene), valid in every dialect."""
    return _register("any", rule_id, **meta)


def _load(dialect: str) -> None:
    if dialect in _loaded:
        return
    importlib.import_module(f"{__package__}.suppressions")
    for name in _MODULES.get(dialect, []):
        importlib.import_module(f"{__package__}.{'postgres' if dialect == 'postgresql' else dialect}.{name}")
    _loaded.add(dialect)


def rules(dialect: str) -> list[Rule]:
    """Every rule that applies to ``dialect``, the engine's own suppression rules included."""
    _load(dialect)
    return list(_RULES[dialect].values()) + list(_RULES["any"].values())


def get_rule(dialect: str, rule_id: str) -> Rule | None:
    _load(dialect)
    return _RULES[dialect].get(rule_id) or _RULES["any"].get(rule_id)
