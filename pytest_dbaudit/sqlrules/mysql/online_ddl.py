"""InnoDB online DDL: what forces a table copy or blocks writes while an ALTER TABLE runs.

InnoDB performs most ALTER TABLE operations in place (ALGORITHM=INPLACE/INSTANT) while reads and
writes continue (LOCK=NONE). The statements below either ask for the blocking path outright or
are ones InnoDB can only do by copying the table or with writes locked out.
"""

from __future__ import annotations

from sqlglot import exp

from ..registry import mysql_rule as rule
from .nodes import alter_of_existing


def _added(actions, *kinds):
    """Constraints of the given sqlglot types added by ADD [CONSTRAINT name] ..."""
    for action in actions:
        if not isinstance(action, exp.AddConstraint):
            continue
        for item in action.expressions:
            inner = item.expressions if isinstance(item, exp.Constraint) else [item]
            name = item.name if isinstance(item, exp.Constraint) else ""
            for c in inner:
                if isinstance(c, kinds):
                    yield name or "(unnamed)", c


@rule("mysql-copy-algorithm", on=("Alter",), severity="High", strong_migrations="copy_algorithm",
      summary="ALTER TABLE ... ALGORITHM=COPY on an existing table",
      fix="ALGORITHM=INPLACE (or INSTANT), LOCK=NONE; if the server refuses, use gh-ost or pt-online-schema-change")
def copy_algorithm(stmt, state):
    """ALGORITHM=COPY rebuilds the table into a new copy and blocks all writes (concurrent DML is not
    permitted) for the whole copy: minutes to hours on a large table."""
    table, _, options = alter_of_existing(stmt, state)
    if options.get("ALGORITHM") == "COPY":
        yield f"ALTER TABLE {table} asks for ALGORITHM=COPY: writes are blocked while the table is copied"


@rule("mysql-lock-option", on=("Alter",), severity="High", strong_migrations="lock_option",
      summary="ALTER TABLE ... LOCK=SHARED or LOCK=EXCLUSIVE on an existing table",
      fix="LOCK=NONE (the server refuses the ALTER rather than block, if it cannot be done online)")
def lock_option(stmt, state):
    """LOCK=SHARED blocks writes and LOCK=EXCLUSIVE blocks reads and writes for the whole ALTER, even
    when the operation itself could have run online."""
    table, _, options = alter_of_existing(stmt, state)
    lock = options.get("LOCK")
    if lock in ("SHARED", "EXCLUSIVE"):
        blocked = "writes" if lock == "SHARED" else "reads and writes"
        yield f"ALTER TABLE {table} asks for LOCK={lock}: {blocked} are blocked until it finishes"


@rule("mysql-blocking-index", on=("Alter",), severity="High",
      summary="FULLTEXT or SPATIAL index added to an existing table",
      fix="build it with gh-ost or pt-online-schema-change, or in a maintenance window")
def blocking_index(stmt, state):
    """InnoDB builds ordinary secondary indexes online, but not FULLTEXT or SPATIAL ones: those need
    LOCK=SHARED (writes blocked for the build), and the first FULLTEXT index rebuilds the table."""
    table, actions, _ = alter_of_existing(stmt, state)
    for name, c in _added(actions, exp.IndexColumnConstraint):
        kind = (c.args.get("kind") or "").upper()
        if kind in ("FULLTEXT", "SPATIAL"):
            yield f"{kind} index {c.name or name} on {table} cannot be built with writes allowed"


@rule("adding-foreign-key-constraint", on=("Alter",), severity="High", strong_migrations="add_foreign_key",
      summary="foreign key added to an existing table while foreign_key_checks is on",
      fix="SET foreign_key_checks = 0; ALTER TABLE ... ADD FOREIGN KEY ..., ALGORITHM=INPLACE, LOCK=NONE; "
          "SET foreign_key_checks = 1 (and check the existing rows yourself)")
def add_foreign_key(stmt, state):
    """With foreign_key_checks on, InnoDB can only add a foreign key with ALGORITHM=COPY: the table is
    copied and writes are blocked while every row is checked. With the checks off it is an in-place
    metadata change."""
    table, actions, _ = alter_of_existing(stmt, state)
    if not state.foreign_key_checks:
        return
    for name, _ in _added(actions, exp.ForeignKey):
        yield f"foreign key {name} on {table} is added with foreign_key_checks on: the table is copied and " \
              f"writes wait"


@rule("mysql-add-check-constraint", on=("Alter",), severity="High", strong_migrations="add_check_constraint_mysql",
      summary="CHECK constraint added to an existing table",
      fix="enforce the rule in the application, or add the CHECK in a maintenance window",
      versions="MySQL enforces CHECK from 8.0.16 (MariaDB from 10.2); 5.7 parses and ignores it")
def add_check_constraint(stmt, state):
    """Adding a CHECK constraint makes InnoDB copy the table to validate every row, with writes blocked
    for the whole copy; MySQL has no NOT VALID to skip the check."""
    if state.version < (8, 0):
        return
    table, actions, _ = alter_of_existing(stmt, state)
    for name, _ in _added(actions, exp.CheckColumnConstraint):
        yield f"CHECK constraint {name} on {table} is validated by copying the table while writes wait"
