"""Parse PostgreSQL with libpg_query (through pglast): PostgreSQL's own grammar, not an approximation.

The whole file is parsed once, into libpg_query's JSON form, which is about ten times faster to
build than pglast's Python node objects. A syntax error anywhere makes libpg_query reject the
whole text, so only then is the file cut into statements with PostgreSQL's scanner and each piece
parsed alone: the pieces that parse are still linted, and each piece that does not becomes one
parse problem with its line.
"""

from __future__ import annotations

import json

from pglast import parser as pg

from ..model import ParseProblem
from ..source import Comment, Source, Statement, excerpt

_COMMENT_TOKENS = {"SQL_COMMENT", "C_COMMENT"}


def parse(source: Source) -> tuple[list[Statement], list[ParseProblem]]:
    try:
        tree = json.loads(pg.parse_sql_json(source.sql))
    except pg.ParseError:
        return _parse_pieces(source)
    return _statements(source, tree, 0, len(source.data)), []


def _statements(source: Source, tree: dict, base: int, limit: int, first_index: int = 0) -> list[Statement]:
    out = []
    for raw in tree.get("stmts", ()):
        loc = base + raw.get("stmt_location", 0)
        length = raw.get("stmt_len", 0)
        end = loc + length if length else limit
        start = source.skip_trivia(loc, end)
        end = _rstrip(source, start, end)
        (kind, node), = raw["stmt"].items()
        out.append(Statement(kind, node, start, end, source.line_of(start), source.line_of(max(start, end - 1)),
                             first_index + len(out), source))
    return out


def _rstrip(source: Source, start: int, end: int) -> int:
    data = source.data
    while end > start and data[end - 1] in b" \t\r\n\f\v;":
        end -= 1
    return end


def _tokens(sql: str) -> tuple[list, int | None]:
    """Scanner tokens (character offsets); on a lexical error, the tokens before it and where it is."""
    try:
        return pg.scan(sql), None
    except pg.ParseError as e:
        where = e.args[1] if len(e.args) > 1 and isinstance(e.args[1], int) else 0
        try:
            return pg.scan(sql[:where]), where
        except pg.ParseError:
            return [], where


def _parse_pieces(source: Source) -> tuple[list[Statement], list[ParseProblem]]:
    sql = source.sql
    tokens, lex_error = _tokens(sql)
    # Cut at every semicolon the scanner sees (those in strings, comments and dollar quotes are not
    # tokens). Not tracking parentheses keeps an unbalanced one from swallowing later statements.
    pieces, first = [], None
    for tok in tokens:
        if tok.name in _COMMENT_TOKENS:
            continue
        if tok.name == "ASCII_59":
            if first is not None:
                pieces.append((first, tok.start))
            first = None
        elif first is None:
            first = tok.start
        last = tok.end + 1
    if first is not None:
        pieces.append((first, last if lex_error is None else len(sql)))
    elif lex_error is not None:
        pieces.append((lex_error, len(sql)))

    statements: list[Statement] = []
    problems: list[ParseProblem] = []
    for cstart, cend in pieces:
        text = sql[cstart:cend]
        bstart = source.byte_offset(cstart)
        try:
            tree = json.loads(pg.parse_sql_json(text))
        except pg.ParseError as e:
            where = e.args[1] if len(e.args) > 1 and isinstance(e.args[1], int) else 0
            line = source.line_of(source.byte_offset(cstart + min(where, len(text))))
            problems.append(ParseProblem(line, str(e.args[0]) if e.args else str(e), excerpt(text), "syntax",
                                         source.path))
            continue
        statements += _statements(source, tree, bstart, source.byte_offset(cend), len(statements))
    return statements, problems


def comments(source: Source) -> list[Comment]:
    tokens, _ = _tokens(source.sql)
    out = []
    for tok in tokens:
        if tok.name in _COMMENT_TOKENS:
            text = source.sql[tok.start:tok.end + 1]
            body = text[2:] if tok.name == "SQL_COMMENT" else text[2:-2]
            start, end = source.byte_offset(tok.start), source.byte_offset(tok.end + 1)
            out.append(Comment(start, end, source.line_of(start), source.line_of(end - 1), body))
    return out
