"""Parse MySQL and MariaDB with sqlglot, statement by statement.

The text is tokenized once and cut at semicolons; each statement is parsed alone so one it cannot
parse does not hide the others. sqlglot turns syntax it does not support into an opaque
``Command``: such a statement is reported as "unsupported" (not checked), never passed silently.
"""

from __future__ import annotations

import logging

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel, ParseError, TokenError
from sqlglot.tokens import TokenType

from ..model import ParseProblem
from ..source import Comment, Source, Statement, excerpt

_MYSQL = Dialect.get_or_raise("mysql")
# What a statement can be; sqlglot also accepts a bare expression ("SELEC x" is a column with an alias).
_STATEMENTS = tuple(getattr(exp, name) for name in (
    "Query", "DML", "DDL", "Alter", "Drop", "Set", "Use", "Transaction", "Commit", "Rollback", "Show", "Grant",
    "Revoke", "TruncateTable", "Describe", "Analyze", "Merge") if hasattr(exp, name))


class _CommandFallbackFilter(logging.Filter):
    """sqlglot logs a warning for every statement it falls back on; the report already says so."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Falling back to parsing as a 'Command'" not in record.getMessage()


logging.getLogger("sqlglot").addFilter(_CommandFallbackFilter())


def parse(source: Source) -> tuple[list[Statement], list[ParseProblem]]:
    sql = source.sql
    try:
        tokens = _MYSQL.tokenize(sql)
    except TokenError as e:
        return [], [ParseProblem(1, f"cannot tokenize: {e}", excerpt(sql), "syntax", source.path)]
    chunks, current = [], []
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            if current:
                chunks.append(current)
            current = []
        else:
            current.append(tok)
    if current:
        chunks.append(current)

    statements: list[Statement] = []
    problems: list[ParseProblem] = []
    for chunk in chunks:
        start, end = source.byte_offset(chunk[0].start), source.byte_offset(chunk[-1].end + 1)
        line = source.line_of(start)
        try:
            parsed = _MYSQL.parser(error_level=ErrorLevel.RAISE).parse(chunk, sql)
        except ParseError as e:
            detail = e.errors[0].get("description", str(e)) if e.errors else str(e)
            problems.append(ParseProblem(line, detail, excerpt(source.text(start, end)), "syntax", source.path))
            continue
        for expr in parsed:
            if expr is None:
                continue
            if isinstance(expr, exp.Command):
                problems.append(ParseProblem(line, "sqlglot does not support this statement; it was not checked",
                                             excerpt(source.text(start, end)), "unsupported", source.path))
                continue
            if not isinstance(expr, _STATEMENTS):
                problems.append(ParseProblem(line, f"not a statement (parsed as {type(expr).__name__})",
                                             excerpt(source.text(start, end)), "syntax", source.path))
                continue
            statements.append(Statement(type(expr).__name__, expr, start, end, line,
                                        source.line_of(max(start, end - 1)), len(statements), source))
    return statements, problems


def comments(source: Source) -> list[Comment]:
    """Comments, found by skipping quoted strings and identifiers (MySQL quotes with ' " and `)."""
    sql, out, i, n = source.sql, [], 0, len(source.sql)
    while i < n:
        c = sql[i]
        if c in "'\"`":
            j = i + 1
            while j < n:
                if sql[j] == "\\" and c != "`":
                    j += 2
                    continue
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:  # doubled quote
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
        elif c == "#" or (sql.startswith("--", i) and (i + 2 >= n or sql[i + 2] in " \t\r\n")):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(_comment(source, i, j, sql[i + (1 if c == "#" else 2):j]))
            i = j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(_comment(source, i, j, sql[i + 2:j - 2]))
            i = j
        else:
            i += 1
    return out


def _comment(source: Source, start: int, end: int, body: str) -> Comment:
    b0, b1 = source.byte_offset(start), source.byte_offset(end)
    return Comment(b0, b1, source.line_of(b0), source.line_of(max(b0, b1 - 1)), body)
