"""What a MySQL migration has done so far, as its statements run in order."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from ..source import Statement
from .nodes import table_name


@dataclass
class State:
    """What the migration has done so far (see the PostgreSQL State for the idea)."""

    version: tuple[int, int]
    assume_in_transaction: bool = False  # MySQL commits DDL implicitly; kept for a uniform signature
    last: bool = False
    new_tables: set[str] = field(default_factory=set)
    foreign_key_checks: bool = True  # SET foreign_key_checks = 0 lets InnoDB add a foreign key in place

    def is_new_table(self, name: str) -> bool:
        return bool(name) and (name.lower() in self.new_tables or name.rsplit(".", 1)[-1].lower() in self.new_tables)

    def track(self, stmt: Statement) -> None:
        node = stmt.node
        if isinstance(node, exp.Create) and (node.args.get("kind") or "").upper() == "TABLE":
            target = node.this.this if isinstance(node.this, exp.Schema) else node.this
            name = table_name(target).lower()
            self.new_tables.update((name, name.rsplit(".", 1)[-1]))
        elif isinstance(node, exp.Set):
            for item in node.expressions:
                eq = item.this if isinstance(item, exp.SetItem) else None
                if isinstance(eq, exp.EQ) and eq.this.name.lower() in ("foreign_key_checks", "@@foreign_key_checks"):
                    self.foreign_key_checks = eq.expression.name.upper() not in ("0", "OFF", "FALSE")
        elif isinstance(node, exp.Alter):
            for action in node.args.get("actions") or ():
                if isinstance(action, exp.AlterRename) and self.is_new_table(table_name(node.this)):
                    self.new_tables.add(table_name(action.this).lower())
