"""Small readers over sqlglot's MySQL parse tree."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

if TYPE_CHECKING:
    from ..source import Statement
    from .state import State


def table_name(table: exp.Expression | None) -> str:
    if not isinstance(table, exp.Table):
        return ""
    return ".".join(p.name for p in (table.args.get("db"), table.this) if p is not None and p.name)


def alter_of_existing(stmt: Statement, state: State) -> tuple[str, list, dict[str, str]]:
    """(table, actions, {"ALGORITHM": ..., "LOCK": ...}) of an ALTER TABLE on a table that existed before
    this migration; ("", [], {}) otherwise."""
    node = stmt.node
    if not isinstance(node, exp.Alter) or (node.args.get("kind") or "").upper() != "TABLE":
        return "", [], {}
    table = table_name(node.this)
    if state.is_new_table(table):
        return "", [], {}
    options = {}
    for opt in node.args.get("options") or ():
        if isinstance(opt, exp.AlgorithmProperty):
            options["ALGORITHM"] = opt.this.name.upper()
        elif isinstance(opt, exp.LockProperty):
            options["LOCK"] = opt.this.name.upper()
    return table, list(node.args.get("actions") or ()), options


def column_constraints(coldef: exp.ColumnDef) -> list[exp.Expression]:
    return [c.args.get("kind") for c in coldef.args.get("constraints") or () if isinstance(c, exp.ColumnConstraint)]
