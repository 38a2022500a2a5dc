"""What a lint run returns: violations, parse problems, and the report that holds both."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..outcomes import Finding


@dataclass(frozen=True)
class Violation:
    """One rule broken by one statement."""

    rule: str  # stable kebab-case id, e.g. "require-concurrent-index-creation"
    anchor: str  # the rule in other tools, e.g. "squawk:require-concurrent-index-creation, strong_migrations:add_index"
    severity: str  # Critical, High, Medium, Low (the catalog's scale)
    message: str  # what this statement does wrong
    line: int  # 1-based line of the statement's first token
    statement: str  # the statement, whitespace collapsed, cut to ~120 characters
    fix: str  # the safe way to do the same thing
    path: str = ""

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.path else f"line {self.line}"

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)  # flat fields: asdict's recursive copy costs more than the lint

    def to_finding(self) -> Finding:
        return Finding(f"{self.rule}: {self.message}", location=self.location, observed=self.statement,
                       severity=self.severity, remediation=self.fix)


@dataclass(frozen=True)
class ParseProblem:
    """A statement the linter could not check: a syntax error, or syntax the parser does not support."""

    line: int
    message: str
    statement: str = ""
    kind: str = "syntax"  # "syntax": not valid SQL; "unsupported": valid, not understood; "unreadable": the file
    path: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)  # flat fields: asdict's recursive copy costs more than the lint


@dataclass
class Report:
    """The result of linting one migration: ``violations`` found and statements that could not be checked."""

    path: str
    dialect: str
    server_version: tuple[int, int]
    violations: list[Violation] = field(default_factory=list)
    errors: list[ParseProblem] = field(default_factory=list)
    statements: int = 0  # statements parsed and checked

    @property
    def ok(self) -> bool:
        """No violation and nothing left unchecked."""
        return not self.violations and not self.errors

    @property
    def rule_ids(self) -> set[str]:
        return {v.rule for v in self.violations}

    def by_rule(self, rule_id: str) -> list[Violation]:
        return [v for v in self.violations if v.rule == rule_id]

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "dialect": self.dialect, "server_version": list(self.server_version),
                "statements": self.statements, "violations": [v.to_dict() for v in self.violations],
                "errors": [e.to_dict() for e in self.errors]}
