"""What a migration has done so far, as its statements run in order.

Rules read this state to judge a statement in context: a table created earlier in the same
migration is empty and unseen by other sessions, so building an index or adding a constraint on
it blocks no one; a constraint added NOT VALID and validated in the same transaction gains
nothing; a lock_timeout set before a statement protects it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..source import Statement
from . import nodes as n

_BEGIN = {"TRANS_STMT_BEGIN", "TRANS_STMT_START"}
_END = {"TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK", "TRANS_STMT_PREPARE", "TRANS_STMT_COMMIT_PREPARED",
        "TRANS_STMT_ROLLBACK_PREPARED"}
TIMEOUTS = ("lock_timeout", "statement_timeout")


@dataclass
class AddedConstraint:
    table: str
    name: str
    contype: str  # CHECK, FOREIGN, ...
    not_valid: bool
    transaction: int  # which transaction added it (0: none)
    expr: dict | None = None  # a CHECK's expression


@dataclass
class State:
    version: tuple[int, int]
    assume_in_transaction: bool = False
    in_transaction: bool = False
    explicit_begin: Statement | None = None  # the BEGIN of the transaction the file opened itself
    transaction: int = 0  # counter: statements in the same transaction share a non-zero number
    last: bool = False  # the statement being checked is the last one
    new_tables: set[str] = field(default_factory=set)  # bare and qualified names
    new_indexes: set[str] = field(default_factory=set)
    new_objects: set[tuple[str, str]] = field(default_factory=set)  # (object type, name): views, types, ...
    timeouts: dict[str, str] = field(default_factory=dict)  # setting -> "session" | "local"
    constraints: dict[tuple[str, str], AddedConstraint] = field(default_factory=dict)
    validated: dict[str, set[str]] = field(default_factory=dict)  # table -> constraint names validated
    dropped_constraints: set[str] = field(default_factory=set)
    locked_in_transaction: dict[str, Statement] = field(default_factory=dict)  # table -> the DDL that locked it
    reported: set[str] = field(default_factory=set)  # once-per-migration rules already reported
    memo: dict = field(default_factory=dict)  # a rule's own notes across statements, under its id

    def __post_init__(self) -> None:
        if self.assume_in_transaction:
            self._begin()

    # -- questions rules ask ------------------------------------------------------------------
    def is_new_table(self, name: str) -> bool:
        """Created earlier in this migration (matched with or without its schema)."""
        return bool(name) and (name in self.new_tables or n.bare(name) in self.new_tables)

    def is_new_index(self, name: str) -> bool:
        return bool(name) and (name in self.new_indexes or n.bare(name) in self.new_indexes)

    def is_new(self, objtype: str, name: str) -> bool:
        if objtype in ("TABLE", "FOREIGN_TABLE"):
            return self.is_new_table(name)
        if objtype == "INDEX":
            return self.is_new_index(name)
        return (objtype, name) in self.new_objects or (objtype, n.bare(name)) in self.new_objects

    def at_least(self, major: int, minor: int = 0) -> bool:
        return self.version >= (major, minor)

    # -- bookkeeping after each statement ------------------------------------------------------
    def _begin(self) -> None:
        self.in_transaction = True
        self.transaction += 1

    def _end(self) -> None:
        self.in_transaction = False
        self.explicit_begin = None
        self.locked_in_transaction.clear()
        # SET LOCAL lasts until the end of the transaction
        self.timeouts = {k: v for k, v in self.timeouts.items() if v != "local"}

    def _new_table(self, name: str) -> None:
        self.new_tables.update((name, n.bare(name)))

    def track(self, stmt: Statement) -> None:
        handler = getattr(self, "_" + stmt.kind, None)
        if handler:
            handler(stmt.node, stmt)

    def _TransactionStmt(self, node: dict, stmt: Statement) -> None:
        kind = node.get("kind", "")
        if kind in _BEGIN:
            if not self.in_transaction:
                self._begin()
                self.explicit_begin = stmt
        elif kind in _END:
            opened_by = self.explicit_begin
            self._end()
            if node.get("chain"):  # COMMIT AND CHAIN starts the next transaction at once
                self._begin()
                self.explicit_begin = opened_by or stmt

    def _VariableSetStmt(self, node: dict, stmt: Statement) -> None:
        name = node.get("name", "").lower()
        if name not in TIMEOUTS:
            return
        if node.get("kind") == "VAR_SET_VALUE" and not _is_zero(node.get("args")):
            self.timeouts[name] = "local" if node.get("is_local") else "session"
        else:  # RESET, SET ... TO DEFAULT, or 0 (which disables the timeout)
            self.timeouts.pop(name, None)

    def _SelectStmt(self, node: dict, stmt: Statement) -> None:
        # SELECT set_config('lock_timeout', '2s', false) is the function form of SET
        for target in node.get("targetList", ()):
            fc = target.get("ResTarget", {}).get("val", {}).get("FuncCall")
            if not fc or n.func_name(fc) != "set_config":
                continue
            args = [a.get("A_Const", {}) for a in fc.get("args", ())]
            if len(args) == 3 and "sval" in args[0] and args[0]["sval"].get("sval", "").lower() in TIMEOUTS:
                value = args[1].get("sval", {}).get("sval", "")
                name, local = args[0]["sval"]["sval"].lower(), args[2].get("boolval", {}).get("boolval", False)
                if value.strip() in ("", "0"):
                    self.timeouts.pop(name, None)
                else:
                    self.timeouts[name] = "local" if local else "session"
        if node.get("intoClause"):
            self._new_table(n.relation(node["intoClause"].get("rel")))

    def _CreateStmt(self, node: dict, stmt: Statement) -> None:
        self._new_table(n.relation(node.get("relation")))

    def _CreateTableAsStmt(self, node: dict, stmt: Statement) -> None:
        name = n.relation(node.get("into", {}).get("rel"))
        if node.get("objtype") == "OBJECT_MATVIEW":
            self.new_objects.add(("MATVIEW", name))
        self._new_table(name)

    def _IndexStmt(self, node: dict, stmt: Statement) -> None:
        if node.get("idxname"):
            name = node["idxname"]
            schema = (node.get("relation") or {}).get("schemaname")
            self.new_indexes.update((name, f"{schema}.{name}" if schema else name))

    def _ViewStmt(self, node: dict, stmt: Statement) -> None:
        self.new_objects.add(("VIEW", n.relation(node.get("view"))))

    def _CreateSeqStmt(self, node: dict, stmt: Statement) -> None:
        self.new_objects.add(("SEQUENCE", n.relation(node.get("sequence"))))

    def _CreateEnumStmt(self, node: dict, stmt: Statement) -> None:
        self.new_objects.add(("TYPE", ".".join(n.strings(node.get("typeName")))))

    def _CompositeTypeStmt(self, node: dict, stmt: Statement) -> None:
        self.new_objects.add(("TYPE", n.relation(node.get("typevar"))))

    def _CreateDomainStmt(self, node: dict, stmt: Statement) -> None:
        self.new_objects.add(("DOMAIN", ".".join(n.strings(node.get("domainname")))))

    def _CreateFunctionStmt(self, node: dict, stmt: Statement) -> None:
        kind = "PROCEDURE" if node.get("is_procedure") else "FUNCTION"
        self.new_objects.add((kind, ".".join(n.strings(node.get("funcname")))))

    def _CreateSchemaStmt(self, node: dict, stmt: Statement) -> None:
        self.new_objects.add(("SCHEMA", node.get("schemaname", "")))

    def _CreateExtensionStmt(self, node: dict, stmt: Statement) -> None:
        self.new_objects.add(("EXTENSION", node.get("extname", "")))

    def _RenameStmt(self, node: dict, stmt: Statement) -> None:
        if node.get("renameType") == "OBJECT_TABLE" and self.is_new_table(n.relation(node.get("relation"))):
            self._new_table(node.get("newname", ""))

    def _AlterTableStmt(self, node: dict, stmt: Statement) -> None:
        table = n.relation(node.get("relation"))
        for cmd in n.alter_cmds(node):
            sub = n.subtype(cmd)
            if sub == "AddConstraint":
                c = n.cmd_def(cmd, "Constraint") or {}
                name = c.get("conname", "")
                self.constraints[(table, name)] = AddedConstraint(
                    table, name, n.contype(c), bool(c.get("skip_validation")),
                    self.transaction if self.in_transaction else 0, c.get("raw_expr"))
            elif sub == "ValidateConstraint":
                self.validated.setdefault(table, set()).add(cmd.get("name", ""))
            elif sub == "DropConstraint":
                self.dropped_constraints.add(cmd.get("name", ""))
        # VALIDATE CONSTRAINT alone takes SHARE UPDATE EXCLUSIVE, which lets writes through
        if self.in_transaction and not self.is_new_table(table) \
                and any(n.subtype(c) != "ValidateConstraint" for c in n.alter_cmds(node)):
            self.locked_in_transaction.setdefault(table, stmt)


def _is_zero(args: list | None) -> bool:
    for a in args or ():
        c = a.get("A_Const", {})
        if "ival" in c:
            return c["ival"].get("ival", 0) == 0
        if "sval" in c:
            return c["sval"].get("sval", "").strip() in ("0", "")
    return False
