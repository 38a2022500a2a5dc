"""Split a migration file into statements, to run them one at a time.

MySQL and MariaDB drivers run one statement per call (golang-migrate needs ``multiStatements`` for
the same reason), and running statements one by one names the statement that failed on every
engine. A plain ``split(";")`` breaks on semicolons inside strings, quoted identifiers, comments,
PostgreSQL dollar-quoted bodies and MySQL ``BEGIN ... END`` blocks, so this is a small scanner:

* ``'...'`` strings (``''`` doubled quotes; backslash escapes on MySQL and in PostgreSQL ``E'...'``),
  ``"..."`` and MySQL backtick identifiers;
* ``-- ...`` comments, MySQL ``# ...`` comments, ``/* ... */`` comments (nested on PostgreSQL);
  a MySQL ``/*! ... */`` executable comment is kept as a statement;
* PostgreSQL ``$$ ... $$`` and ``$tag$ ... $tag$`` bodies;
* the mysql client's ``DELIMITER //`` lines (Flyway understands them too);
* without ``DELIMITER``: the ``BEGIN ... END`` body of a MySQL ``CREATE PROCEDURE | FUNCTION |
  TRIGGER | EVENT``, and PostgreSQL's ``BEGIN ATOMIC ... END`` function bodies.

Statements that hold only comments are dropped. Flyway placeholders (``${name}``) are not replaced.
"""

from __future__ import annotations

import re

_DOLLAR = re.compile(r"\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_DELIMITER_LINE = re.compile(r"[ \t]*DELIMITER[ \t]+(\S+)[ \t]*(?:\r?\n|$)", re.IGNORECASE)
_MYSQL_COMPOUND = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:SQL\s+SECURITY\s+\w+\s+)?"
    r"(?:AGGREGATE\s+)?(?:PROCEDURE|FUNCTION|TRIGGER|EVENT)\b", re.IGNORECASE)
_COMMENTS = re.compile(r"--[^\n]*|#[^\n]*|/\*(?!!).*?\*/", re.S)


def split_statements(sql: str, engine: str = "postgresql") -> list[str]:
    """The statements of ``sql`` in order, without their terminating delimiter."""
    mysql = engine in ("mysql", "mariadb")
    out: list[str] = []
    delimiter = ";"
    start = 0  # where the current statement began
    depth = 0  # BEGIN/CASE ... END nesting inside a compound statement
    compound: bool | None = None  # None: not decided yet for this statement
    last_words: list[str] = []  # the previous words of this statement (for BEGIN ATOMIC, END CASE)
    i, n = 0, len(sql)

    def flush(end: int) -> None:
        text = _without_leading_comments(sql[start:end], mysql).strip()
        if text and _meaningful(text, mysql):
            out.append(text)

    while i < n:
        c = sql[i]
        # mysql client DELIMITER lines, only at the start of a line and between statements
        if mysql and c in "dD" and (i == 0 or sql[i - 1] == "\n") and not sql[start:i].strip():
            m = _DELIMITER_LINE.match(sql, i)
            if m:
                delimiter = m.group(1)
                i = start = m.end()
                continue
        if c == "-" and sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c == "#" and mysql:
            j = sql.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c == "/" and sql.startswith("/*", i):
            i = _block_comment_end(sql, i, nested=not mysql)
            continue
        if c == "'":
            escapes = mysql or (i > 0 and sql[i - 1] in "eE" and (i < 2 or not _ident_char(sql[i - 2])))
            i = _quoted_end(sql, i, "'", escapes)
            continue
        if c == '"':
            i = _quoted_end(sql, i, '"', mysql)
            continue
        if c == "`" and mysql:
            i = _quoted_end(sql, i, "`", False)
            continue
        if c == "$" and not mysql and (i == 0 or not _ident_char(sql[i - 1])):
            m = _DOLLAR.match(sql, i)
            if m:
                j = sql.find(m.group(0), m.end())
                i = n if j < 0 else j + len(m.group(0))
                continue
        if c.isalpha() or c == "_":
            m = _WORD.match(sql, i)
            assert m is not None
            word = m.group(0).upper()
            if compound is None:
                head = _COMMENTS.sub(" ", sql[start:i + 300])
                compound = bool(mysql and _MYSQL_COMPOUND.match(head))
            if word == "ATOMIC" and last_words[-1:] == ["BEGIN"] and not mysql:
                compound = True
                depth += 1
            elif compound and mysql:
                if word == "BEGIN" or (word == "CASE" and last_words[-1:] != ["END"]):
                    depth += 1
                elif word == "END" and not _ends_loop(sql, m.end()):
                    depth = max(0, depth - 1)
            elif compound and not mysql:
                if word == "CASE" and last_words[-1:] != ["END"] or word == "BEGIN" and depth:
                    depth += 1
                elif word == "END":
                    depth = max(0, depth - 1)
            last_words = (last_words + [word])[-3:]
            i = m.end()
            continue
        if sql.startswith(delimiter, i) and depth == 0:
            flush(i)
            i += len(delimiter)
            start, compound, last_words = i, None, []
            continue
        i += 1
    flush(n)
    return out


def _without_leading_comments(text: str, mysql: bool) -> str:
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("--", i) or (mysql and text[i] == "#"):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif text.startswith("/*", i) and not text.startswith("/*!", i):
            i = _block_comment_end(text, i, nested=not mysql)
        else:
            break
    return text[i:]


def _ends_loop(sql: str, i: int) -> bool:
    """``END IF`` / ``END LOOP`` / ``END WHILE`` / ``END REPEAT`` / ``END FOR`` close no BEGIN."""
    while i < len(sql) and sql[i].isspace():
        i += 1
    m = _WORD.match(sql, i)
    return bool(m and m.group(0).upper() in ("IF", "LOOP", "WHILE", "REPEAT", "FOR"))


def _ident_char(c: str) -> bool:
    return c.isalnum() or c in "_$"


def _quoted_end(sql: str, i: int, quote: str, escapes: bool) -> int:
    """Index after the closing quote of the quoted text starting at ``i`` (doubled quotes stay inside)."""
    j, n = i + 1, len(sql)
    while j < n:
        c = sql[j]
        if escapes and c == "\\":
            j += 2
            continue
        if c == quote:
            if j + 1 < n and sql[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    return n


def _block_comment_end(sql: str, i: int, nested: bool) -> int:
    depth, j, n = 0, i, len(sql)
    while j < n:
        if sql.startswith("/*", j):
            depth += 1
            j += 2
            if not nested and depth > 1:
                depth = 1
            continue
        if sql.startswith("*/", j):
            depth -= 1
            j += 2
            if depth == 0:
                return j
            continue
        j += 1
    return n


def _meaningful(text: str, mysql: bool) -> bool:
    """A statement that is more than comments (a MySQL ``/*! ... */`` comment counts: it runs)."""
    if mysql and "/*!" in text:
        return True
    pattern = _COMMENTS if mysql else re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
    return bool(pattern.sub("", text).strip())
