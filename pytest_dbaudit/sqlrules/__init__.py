"""Zero-downtime SQL rules for migrations: what would lock, rewrite or break a live database.

::

    from pytest_dbaudit.sqlrules import lint

    report = lint(open("0042_add_email.sql").read(), dialect="postgresql", server_version=(16, 2),
                  path="0042_add_email.sql")
    for v in report.violations:   # rule, anchor, severity, message, line, statement, fix
        print(f"{v.location} {v.rule} [{v.severity}] {v.message}")
    for e in report.errors:       # statements that could not be checked, with their line
        print(f"{e.path}:{e.line} {e.kind}: {e.message}")

PostgreSQL is parsed with libpg_query (PostgreSQL's own grammar), MySQL and MariaDB with sqlglot.
A statement that does not parse is reported in ``errors`` and the others are still linted. The rule
reference, with each rule's counterpart in squawk and strong_migrations, is docs/sql-rules.md.
"""

from __future__ import annotations

from .engine import lint
from .model import ParseProblem, Report, Violation
from .registry import Rule, get_rule, rules

__all__ = ["ParseProblem", "Report", "Rule", "Violation", "get_rule", "lint", "rules"]
