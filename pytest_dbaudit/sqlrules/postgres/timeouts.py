"""lock_timeout and statement_timeout before the first statement that locks something in use.

A DDL statement that waits for a lock queues every later query on that table behind it: one
long-running SELECT plus an ALTER TABLE without lock_timeout is an outage. Only statements that
lock an object that existed before the migration count; creating new objects, or changing ones
created earlier in the same migration, waits for no one.
"""

from __future__ import annotations

from ..registry import postgres_rule as rule
from . import nodes as n

_AE, _SRE, _SUE, _SHARE = "ACCESS EXCLUSIVE", "SHARE ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE"
_LOCK_MODES = {1: "ACCESS SHARE", 2: "ROW SHARE", 3: "ROW EXCLUSIVE", 4: _SUE, 5: _SHARE, 6: _SRE,
               7: "EXCLUSIVE", 8: _AE}
_LIGHT_ALTERS = {"ValidateConstraint", "SetStatistics", "SetOptions", "ResetOptions", "ClusterOn",
                 "DropCluster", "SetRelOptions", "ResetRelOptions"}
_LOCKING = ("AlterTableStmt", "IndexStmt", "DropStmt", "RenameStmt", "AlterObjectSchemaStmt", "TruncateStmt",
            "VacuumStmt", "ClusterStmt", "ReindexStmt", "LockStmt", "RefreshMatViewStmt", "CreateTrigStmt",
            "CommentStmt", "AlterEnumStmt", "AlterDomainStmt", "CreateStmt", "ViewStmt", "AlterSeqStmt",
            "CreatePolicyStmt", "AlterPolicyStmt", "RuleStmt")


def lock_taken(stmt, state) -> str:
    """The lock the statement takes on an object that existed before this migration, or ""."""
    node, kind = stmt.node, stmt.kind
    if kind == "AlterTableStmt":
        table = n.relation(node.get("relation"))
        cmds = list(n.alter_cmds(node))
        fk_targets = [n.relation((n.cmd_def(c, "Constraint") or {}).get("pktable")) for c in cmds
                      if n.contype(n.cmd_def(c, "Constraint") or {}) == "FOREIGN"]
        if state.is_new_table(table):
            return _SRE if any(t and not state.is_new_table(t) for t in fk_targets) else ""
        subs = {n.subtype(c) for c in cmds}
        if subs <= _LIGHT_ALTERS:
            return _SUE
        return _SRE if subs == {"AddConstraint"} and len(fk_targets) == len(cmds) else _AE
    if kind == "IndexStmt":
        if state.is_new_table(n.relation(node.get("relation"))):
            return ""
        return _SUE if node.get("concurrent") else _SHARE
    if kind == "DropStmt":
        what = node.get("removeType", "")[len("OBJECT_"):]
        if all(state.is_new(what, name) for name in n.drop_object_names(node)):
            return ""
        return _SUE if node.get("concurrent") else _AE
    if kind == "CreateStmt":
        refs = [n.relation(c.get("pktable")) for col in n.column_defs(node.get("tableElts"))
                for c in n.constraints(col) if n.contype(c) == "FOREIGN"]
        refs += [n.relation(e["Constraint"].get("pktable")) for e in node.get("tableElts", ())
                 if n.contype(e.get("Constraint", {})) == "FOREIGN"]
        parents = [n.relation(p.get("RangeVar")) for p in node.get("inhRelations", ())] if node.get("partbound") \
            else []
        if any(not state.is_new_table(p) for p in parents):
            return _AE
        return _SRE if any(r and not state.is_new_table(r) for r in refs) else ""
    if kind == "ViewStmt":
        return _AE if node.get("replace") and not state.is_new("VIEW", n.relation(node.get("view"))) else ""
    if kind == "VacuumStmt":
        if not node.get("is_vacuumcmd"):
            return ""  # ANALYZE
        tables = [n.relation(r["VacuumRelation"].get("relation")) for r in node.get("rels", ())]
        if tables and all(state.is_new_table(t) for t in tables):
            return ""
        return _AE if "full" in n.defelem_names(node.get("options")) else _SUE
    if kind in ("CommentStmt", "RenameStmt", "AlterObjectSchemaStmt"):
        objtype = (node.get("objtype") or node.get("renameType") or node.get("objectType") or "")[len("OBJECT_"):]
        name = n.object_name(node)
        if objtype == "COLUMN" and kind == "CommentStmt":
            objtype, name = "TABLE", name.rsplit(".", 1)[0]
        if objtype in ("COLUMN", "TABCONSTRAINT"):
            objtype = "TABLE"
        if state.is_new(objtype, name):
            return ""
        return _SUE if kind == "CommentStmt" else _AE
    if kind == "LockStmt":
        return _LOCK_MODES.get(node.get("mode", 8), _AE)
    if kind in ("ClusterStmt", "ReindexStmt", "RefreshMatViewStmt",
                "CreateTrigStmt", "AlterSeqStmt", "CreatePolicyStmt", "AlterPolicyStmt", "RuleStmt"):
        rel = n.relation(node.get("relation") or node.get("table") or node.get("sequence"))
        if rel and state.is_new_table(rel):
            return ""
        if kind == "ReindexStmt" and "concurrently" in n.defelem_names(node.get("params")):
            return _SUE
        if kind == "RefreshMatViewStmt" and node.get("concurrent"):
            return "EXCLUSIVE"
        return _SRE if kind == "CreateTrigStmt" else _AE
    if kind == "AlterEnumStmt":
        return "" if state.is_new("TYPE", ".".join(n.strings(node.get("typeName")))) else "a lock on the type"
    if kind == "AlterDomainStmt":
        return "" if state.is_new("DOMAIN", ".".join(n.strings(node.get("typeName")))) else \
            "locks on every table using the domain"
    return ""


def _missing(setting: str, stmt, state):
    if setting in state.timeouts or setting in state.reported:
        return
    lock = lock_taken(stmt, state)
    if lock:
        state.reported.add(setting)
        yield lock


@rule("require-lock-timeout", on=_LOCKING, severity="Medium", squawk="require-lock-timeout",
      summary="first statement that locks an existing object, with no lock_timeout set before it",
      fix="SET lock_timeout = '2s' (or SET LOCAL inside the transaction) at the top of the migration, and retry "
          "the migration when it times out; or set it on the migration role and suppress with that reason")
def require_lock_timeout(stmt, state):
    """A statement waiting for a lock blocks every query that arrives after it on the same table, so
    a migration stuck behind one slow transaction takes the application down with it. With
    lock_timeout the migration gives up instead, and can be retried."""
    for lock in _missing("lock_timeout", stmt, state):
        yield f"needs {lock} lock with no lock_timeout set: while it waits, every later query on the object " \
              f"queues behind it"


@rule("require-statement-timeout", on=_LOCKING, severity="Low", squawk="require-statement-timeout",
      summary="first statement that locks an existing object, with no statement_timeout set before it",
      fix="SET statement_timeout at the top of the migration (generous for CONCURRENTLY builds, which it "
          "would otherwise cancel); or set it on the migration role and suppress with that reason")
def require_statement_timeout(stmt, state):
    """Without statement_timeout a rewrite or scan that turns out slower than expected holds its lock
    until it finishes, however long that is; with it, the migration fails and releases the lock."""
    for lock in _missing("statement_timeout", stmt, state):
        yield f"holds {lock} lock with no statement_timeout set: a slow run keeps it as long as it takes"
