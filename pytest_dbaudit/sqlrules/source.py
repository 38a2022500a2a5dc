"""The text of one migration: statements and comments located by line, excerpts for reports.

Parsers report byte offsets (libpg_query) or character offsets (its scanner, sqlglot); this module
keeps the text as bytes so both map to the same lines.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from ..redact import redact

EXCERPT = 120


class Source:
    def __init__(self, sql: str, path: str = ""):
        self.sql = sql
        self.path = path
        self.data = sql.encode("utf-8", "surrogateescape")
        self.ascii = len(self.data) == len(sql)
        self._line_starts: list[int] | None = None

    def line_of(self, offset: int) -> int:
        """1-based line of a byte offset."""
        if self._line_starts is None:
            starts, find, i = [0], self.data.find, self.data.find(b"\n")
            while i >= 0:
                starts.append(i + 1)
                i = find(b"\n", i + 1)
            self._line_starts = starts
        return bisect_right(self._line_starts, offset)

    def byte_offset(self, char_offset: int) -> int:
        return char_offset if self.ascii else len(self.sql[:char_offset].encode("utf-8", "surrogateescape"))

    def text(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8", "replace")

    def skip_trivia(self, pos: int, end: int) -> int:
        """First byte at or after ``pos`` that is not whitespace or a PostgreSQL comment (stops at ``end``)."""
        data = self.data
        while pos < end:
            c = data[pos]
            if c in b" \t\r\n\f\v":
                pos += 1
            elif data.startswith(b"--", pos):
                nl = data.find(b"\n", pos)
                pos = end if nl < 0 else nl + 1
            elif data.startswith(b"/*", pos):  # block comments nest in PostgreSQL
                depth, pos = 1, pos + 2
                while pos < end and depth:
                    if data.startswith(b"*/", pos):
                        depth, pos = depth - 1, pos + 2
                    elif data.startswith(b"/*", pos):
                        depth, pos = depth + 1, pos + 2
                    else:
                        pos += 1
            else:
                break
        return pos


def excerpt(text: str) -> str:
    """The statement as reports show it: whitespace collapsed, password literals masked, cut to EXCERPT."""
    flat = redact(" ".join(text.split()))
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1].rstrip() + "…"


@dataclass
class Statement:
    """One parsed statement and where it is."""

    kind: str  # PostgreSQL: the parse node type ("AlterTableStmt"); MySQL: the sqlglot class ("Alter")
    node: Any  # PostgreSQL: that node's fields as a dict; MySQL: the sqlglot expression
    start: int  # byte offset of the first token
    end: int  # byte offset after the last token (before the semicolon)
    line: int
    end_line: int
    index: int
    source: Source

    @property
    def text(self) -> str:
        return self.source.text(self.start, self.end)

    @property
    def excerpt(self) -> str:
        return excerpt(self.text)


@dataclass(frozen=True)
class Comment:
    start: int  # byte offsets
    end: int
    line: int
    end_line: int
    body: str  # without the comment markers
