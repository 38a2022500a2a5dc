"""Adding and dropping constraints on tables and domains that already hold data."""

from __future__ import annotations

from ..registry import postgres_rule as rule
from . import nodes as n


def _added(stmt, state, *contypes: str):
    """(table, constraint, how) for each constraint of these types added to an existing table,
    as ADD CONSTRAINT or inline on ADD COLUMN."""
    table = n.relation(stmt.node.get("relation"))
    if state.is_new_table(table):
        return
    for cmd in n.alter_cmds(stmt.node):
        sub = n.subtype(cmd)
        if sub == "AddConstraint":
            c = n.cmd_def(cmd, "Constraint") or {}
            if n.contype(c) in contypes:
                yield table, c, "ADD CONSTRAINT"
        elif sub == "AddColumn":
            col = n.cmd_def(cmd, "ColumnDef") or {}
            for c in n.constraints(col):
                if n.contype(c) in contypes:
                    yield table, c, f"ADD COLUMN {col.get('colname', '')}"


def _name(c: dict) -> str:
    return c.get("conname") or "(unnamed)"


@rule("adding-foreign-key-constraint", on=("AlterTableStmt.AddConstraint", "AlterTableStmt.AddColumn"), severity="High",
      squawk="adding-foreign-key-constraint", strong_migrations="add_foreign_key",
      summary="foreign key added to an existing table without NOT VALID",
      fix="ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a separate transaction")
def adding_foreign_key_constraint(stmt, state):
    """Adding a foreign key takes SHARE ROW EXCLUSIVE locks on both tables and checks every existing
    row while holding them: writes to both tables stop for the whole scan. NOT VALID skips the scan;
    VALIDATE CONSTRAINT later checks the rows under a lock that lets writes continue."""
    for table, c, how in _added(stmt, state, "FOREIGN"):
        if not c.get("skip_validation"):
            target = n.relation(c.get("pktable"))
            yield f"{how} on {table} adds foreign key {_name(c)} to {target}, validating every row while " \
                  f"writes to both tables wait"


@rule("constraint-missing-not-valid", on=("AlterTableStmt.AddConstraint", "AlterTableStmt.ValidateConstraint"),
      severity="High",
      squawk="constraint-missing-not-valid", strong_migrations="add_check_constraint",
      summary="CHECK or foreign key added to an existing table without NOT VALID, or validated in the "
              "transaction that added it",
      fix="ADD CONSTRAINT ... NOT VALID; VALIDATE CONSTRAINT in a later transaction (or migration)")
def constraint_missing_not_valid(stmt, state):
    """Without NOT VALID, PostgreSQL scans the whole table while holding the lock the ADD took
    (ACCESS EXCLUSIVE for a CHECK). Validating in the same transaction as the ADD keeps that lock
    for the scan too, so the two-step form gains nothing unless the steps commit separately."""
    for cmd in n.alter_cmds(stmt.node):
        if n.subtype(cmd) != "AddConstraint":
            continue
        c = n.cmd_def(cmd, "Constraint") or {}
        table = n.relation(stmt.node.get("relation"))
        if n.contype(c) in ("CHECK", "FOREIGN") and not c.get("skip_validation") and not state.is_new_table(table):
            kind = "CHECK" if n.contype(c) == "CHECK" else "foreign key"
            yield f"{kind} constraint {_name(c)} on {table} is validated against every row while the table is locked"
    if not state.in_transaction:
        return
    table = n.relation(stmt.node.get("relation"))
    for cmd in n.alter_cmds(stmt.node):
        if n.subtype(cmd) == "ValidateConstraint":
            added = state.constraints.get((table, cmd.get("name", "")))
            if added and added.not_valid and added.transaction == state.transaction:
                yield f"constraint {added.name} is validated in the same transaction that added it NOT VALID; " \
                      f"the ADD's lock is still held during the scan"


@rule("disallowed-unique-constraint", on=("AlterTableStmt.AddConstraint", "AlterTableStmt.AddColumn"), severity="High",
      squawk="disallowed-unique-constraint", strong_migrations="add_unique_constraint",
      summary="UNIQUE constraint added to an existing table without USING INDEX",
      fix="CREATE UNIQUE INDEX CONCURRENTLY, then ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX")
def disallowed_unique_constraint(stmt, state):
    """ADD CONSTRAINT UNIQUE builds its index under an ACCESS EXCLUSIVE lock: no reads or writes
    until the index is built. Building the index concurrently first and attaching it is instant."""
    for table, c, how in _added(stmt, state, "UNIQUE"):
        if not c.get("indexname"):
            yield f"{how} on {table} builds unique index {_name(c)} while reads and writes wait"


@rule("adding-serial-primary-key-field", on=("AlterTableStmt.AddConstraint", "AlterTableStmt.AddColumn"),
      severity="High",
      squawk="adding-serial-primary-key-field",
      summary="PRIMARY KEY added to an existing table without USING INDEX",
      fix="CREATE UNIQUE INDEX CONCURRENTLY on the key columns, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX")
def adding_serial_primary_key_field(stmt, state):
    """Adding a primary key builds its unique index (and checks NOT NULL) under an ACCESS EXCLUSIVE
    lock, blocking reads and writes for the whole build."""
    for table, c, how in _added(stmt, state, "PRIMARY"):
        if not c.get("indexname"):
            yield f"{how} on {table} builds the primary key index while reads and writes wait"


@rule("adding-exclusion-constraint", on=("AlterTableStmt.AddConstraint", "AlterTableStmt.AddColumn"), severity="High",
      strong_migrations="add_exclusion_constraint",
      summary="exclusion constraint added to an existing table",
      fix="create the table with the constraint, or add it in a maintenance window; there is no online path")
def adding_exclusion_constraint(stmt, state):
    """An exclusion constraint builds its index and checks every row under an ACCESS EXCLUSIVE lock,
    and unlike CHECK or FOREIGN KEY it cannot be added NOT VALID or attached from a prebuilt index."""
    for table, c, how in _added(stmt, state, "EXCLUSION"):
        yield f"{how} on {table} adds exclusion constraint {_name(c)} while reads and writes wait"


@rule("ban-drop-constraint", on=("AlterTableStmt.DropConstraint",), severity="Medium", squawk="ban-drop-constraint",
      summary="DROP CONSTRAINT on an existing table",
      fix="make sure no code relies on the constraint (ON CONFLICT targets, the data guarantee) before dropping it")
def ban_drop_constraint(stmt, state):
    """Code may depend on a constraint: an INSERT ... ON CONFLICT naming it fails once it is gone, and
    data the constraint kept out can start arriving."""
    table = n.relation(stmt.node.get("relation"))
    if state.is_new_table(table):
        return
    for cmd in n.alter_cmds(stmt.node):
        if n.subtype(cmd) == "DropConstraint":
            yield f"constraint {cmd.get('name', '')} is dropped from {table}"


@rule("ban-alter-domain-with-add-constraint", on=("AlterDomainStmt",), severity="Medium",
      squawk="ban-alter-domain-with-add-constraint",
      summary="ALTER DOMAIN ... ADD CONSTRAINT",
      fix="add a NOT VALID CHECK constraint on each table column instead, then validate it")
def ban_alter_domain_with_add_constraint(stmt, state):
    """A new domain constraint is checked against every column of every table that uses the domain,
    under locks on all of them; unlike a table CHECK there is no separate, lighter validation step
    for NOT VALID to defer to."""
    node = stmt.node
    name = ".".join(n.strings(node.get("typeName")))
    if node.get("subtype") == "C" and not state.is_new("DOMAIN", name):
        yield f"a constraint is added to domain {name}; every column of that domain is rechecked"


@rule("ban-create-domain-with-constraint", on=("CreateDomainStmt",), severity="Medium",
      squawk="ban-create-domain-with-constraint",
      summary="CREATE DOMAIN with a CHECK constraint",
      fix="use a plain domain (or the base type) and put the CHECK on the table columns")
def ban_create_domain_with_constraint(stmt, state):
    """Constraints on a domain are awkward to change later: altering them rechecks every column that
    uses the domain, in every table, while those tables are locked."""
    checks = [c for c in (x.get("Constraint", {}) for x in stmt.node.get("constraints", ()))
              if n.contype(c) == "CHECK"]
    if checks:
        yield f"domain {'.'.join(n.strings(stmt.node.get('domainname')))} is created with a CHECK constraint"
