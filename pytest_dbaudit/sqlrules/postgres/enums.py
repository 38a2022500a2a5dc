"""Changing enum types that rows and code already use."""

from __future__ import annotations

from ..registry import postgres_rule as rule
from . import nodes as n


@rule("require-enum-value-ordering", on=("AlterEnumStmt",), severity="Low",
      squawk="require-enum-value-ordering",
      summary="ALTER TYPE ... ADD VALUE without BEFORE or AFTER",
      fix="ADD VALUE 'x' BEFORE 'y' / AFTER 'y', so the sort order is the one intended")
def require_enum_value_ordering(stmt, state):
    """Enum values sort in declaration order; a value appended at the end sorts after all others,
    which ORDER BY and range comparisons on the column then reflect, often by accident."""
    node = stmt.node
    if node.get("newVal") and not node.get("oldVal") and not node.get("newValNeighbor"):
        yield f"value '{node['newVal']}' is appended to {'.'.join(n.strings(node.get('typeName')))} " \
              f"without BEFORE/AFTER"


@rule("renaming-enum-value", on=("AlterEnumStmt",), severity="High", strong_migrations="rename_enum_value",
      summary="ALTER TYPE ... RENAME VALUE",
      fix="add the new value, migrate rows and code to it, and stop using the old one (it cannot be dropped)")
def renaming_enum_value(stmt, state):
    """Rows keep their value but its label changes at once: deployed code that writes or compares
    the old label fails (invalid input value for enum) until every server runs the new release."""
    node = stmt.node
    name = ".".join(n.strings(node.get("typeName")))
    if node.get("oldVal") and not state.is_new("TYPE", name):
        yield f"enum value '{node['oldVal']}' of {name} is renamed to '{node.get('newVal', '')}'"
