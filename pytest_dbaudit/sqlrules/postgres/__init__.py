"""PostgreSQL: parsed by libpg_query, judged statement by statement in migration order."""

from __future__ import annotations

from .nodes import alter_cmds, subtype
from .parse import comments, parse
from .state import State

# Assumed when the caller does not say: the oldest major the PostgreSQL community still supports
# (14 reached end of life on 2026-11-12); squawk assumes 15 as well.
DEFAULT_VERSION = (15, 0)



def dispatch_keys(stmt) -> list[str]:
    """What rules can ask to see: the statement kind, and for ALTER TABLE each action ("AlterTableStmt.AddColumn"),
    so a rule about one action is not called for the others."""
    if stmt.kind != "AlterTableStmt":
        return [stmt.kind]
    return [stmt.kind] + [f"AlterTableStmt.{subtype(c)}" for c in alter_cmds(stmt.node)]


__all__ = ["DEFAULT_VERSION", "State", "comments", "dispatch_keys", "parse"]
