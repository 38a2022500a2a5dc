"""MySQL and MariaDB: parsed by sqlglot, judged against InnoDB's online DDL rules."""

from __future__ import annotations

from .parse import comments, parse
from .state import State

# Assumed when the caller does not say; 8.0 is the oldest MySQL series still in wide use.
DEFAULT_VERSION = (8, 0)



def dispatch_keys(stmt) -> list[str]:
    return [stmt.kind]


__all__ = ["DEFAULT_VERSION", "State", "comments", "dispatch_keys", "parse"]
