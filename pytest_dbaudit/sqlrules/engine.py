"""Lint one migration: parse it once, run each rule on the statements it looks at, apply suppressions."""

from __future__ import annotations

import importlib
from functools import lru_cache

from . import suppressions as sup
from .model import ParseProblem, Report, Violation
from .registry import Rule, get_rule, rules
from .source import Source

_ALIASES = {"postgresql": "postgresql", "postgres": "postgresql", "pg": "postgresql",
            "mysql": "mysql", "mariadb": "mysql"}


def lint(sql: str, *, dialect: str = "postgresql", server_version: tuple[int, int] | None = None,
         assume_in_transaction: bool = False, implicit_transaction: bool = False, path: str = "",
         enable: tuple[str, ...] = (), disable: tuple[str, ...] = ()) -> Report:
    """Lint one migration (a file, or one revision's SQL) and return its :class:`Report`.

    ``dialect``: "postgresql" or "mysql" (MariaDB included). ``server_version``: (major, minor) of the
    target server; rules whose verdict depends on it assume the dialect's default when it is None
    (PostgreSQL 15.0, MySQL 8.0). ``assume_in_transaction``: the migration tool runs the whole file in
    one transaction (Alembic and Django on PostgreSQL do). ``implicit_transaction``: the tool sends the
    whole text as one query (Prisma, golang-migrate), which PostgreSQL runs as one transaction when it
    holds more than one statement. ``enable`` switches on rules that are off by
    default; ``disable`` switches rules off. Tables created earlier in the same ``sql`` count as new.
    """
    name = _ALIASES.get(dialect.lower())
    if name is None:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {sorted(set(_ALIASES))}")
    impl = importlib.import_module(f"{__package__}.{'postgres' if name == 'postgresql' else 'mysql'}")
    version = (tuple(server_version) + (0, 0))[:2] if server_version else impl.DEFAULT_VERSION
    source = Source(sql, path)

    statements, errors = impl.parse(source)
    in_transaction = assume_in_transaction or (implicit_transaction and len(statements) > 1)
    state = impl.State(version=version, assume_in_transaction=in_transaction)
    by_kind, generic = _dispatch(name, tuple(sorted(enable)), tuple(sorted(disable)))
    last_ok = not errors or (statements and max(e.line for e in errors) <= statements[-1].line)
    hits = []
    for stmt in statements:
        state.last = bool(last_ok) and stmt is statements[-1]
        keys = impl.dispatch_keys(stmt)
        selected = by_kind.get(keys[0], []) if len(keys) == 1 else \
            list(dict.fromkeys(r for k in keys for r in by_kind.get(k, ())))
        for rule in selected + generic:
            for hit in rule.check(stmt, state):
                message, at = hit if isinstance(hit, tuple) else (hit, stmt)
                hits.append((rule, message, at))
        state.track(stmt)

    report = Report(path, name, version, errors=[_with_path(e, path) for e in errors], statements=len(statements))
    found, problems = ([], [])
    if sup.has_markers(sql):
        found, problems = sup.parse(impl.comments(source), statements, name)
    seen = set()
    for rule, message, at in hits:
        key = (rule.id, at.index, message)
        if key in seen:
            continue
        seen.add(key)
        covering = [s for s in found if s.covers(rule.id, at.index)]
        if covering:
            for s in covering:
                s.used.add(rule.id)
            continue
        report.violations.append(Violation(rule.id, rule.anchor, rule.severity, message, at.line, at.excerpt,
                                           rule.fix, path))
    for rule, message, comment in problems + list(sup.unused(found)):
        report.violations.append(Violation(rule.id, rule.anchor, rule.severity, message, comment.line,
                                           sup.comment_excerpt(comment), rule.fix, path))
    report.violations.sort(key=lambda v: (v.line, v.rule))
    return report


@lru_cache(maxsize=32)
def _dispatch(dialect: str, enable: tuple[str, ...], disable: tuple[str, ...]):
    """Rules by the dispatch keys they look at (statement kinds, or kind.action), plus those that look at
    every statement."""
    for name in enable + disable:
        # a rule of the other dialect is fine (one list can serve both); a name no dialect knows is a typo
        if all(get_rule(d, name) is None for d in ("postgresql", "mysql")):
            raise ValueError(f"no rule is called {name!r}")
    active: list[Rule] = [r for r in rules(dialect)
                          if r.check and (r.default or r.id in enable) and r.id not in disable]
    by_kind: dict[str, list[Rule]] = {}
    generic: list[Rule] = []
    for r in active:
        if r.on:
            for kind in r.on:
                by_kind.setdefault(kind, []).append(r)
        else:
            generic.append(r)
    return by_kind, generic


def _with_path(e: ParseProblem, path: str) -> ParseProblem:
    return e if e.path == path else ParseProblem(e.line, e.message, e.statement, e.kind, path)
