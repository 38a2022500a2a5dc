"""Redaction: no password or secret value may reach any output."""

from __future__ import annotations

import re
import threading

MASK = "****"

# scheme://user:password@host — the password ends at the last '@' before the host part,
# because real passwords contain '@', ':' and '/' (parsers that stop at the first '@' leak).
_URL_PASSWORD = re.compile(
    r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/?#\s@'\"]*:)(?P<pw>[^\s'\"]*)(?P<at>@)(?=[^@\s'\"]*(?:[\s'\"]|$))"
)
_KV_PASSWORD = re.compile(
    r"(?P<head>\b(?:password|passwd|pwd)\s*=\s*)(?P<pw>'[^']*'|\"[^\"]*\"|[^\s;,&'\"]+)", re.IGNORECASE
)

# Password literals in SQL: PASSWORD '...', IDENTIFIED BY '...', SET PASSWORD = '...' (migrations that
# create roles, statements quoted in errors and lint excerpts). A separator is required between the
# keyword and the literal, and a literal stays on one line without the other quote, so the words
# "password" and a JSON document's own quotes ('"password": "x"', '...password",\n  "section"') are
# never taken for SQL.
_SQL_PASSWORD = re.compile(
    r"\b(SET\s+PASSWORD(?:\s+FOR\s+\S+)?\s*=(?:\s*PASSWORD)?|(?:ENCRYPTED\s+)?PASSWORD"
    r"|IDENTIFIED\s+(?:WITH\s+\S+\s+)?(?:BY|AS)(?:\s+PASSWORD)?)(\s+\(?\s*|\s*\(\s*)('[^'\"\n]*'|\"[^\"'\n]*\")",
    re.IGNORECASE)

_known: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret value so it is masked wherever it later appears verbatim."""
    if value and len(value) >= 3:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    if not text:
        return text
    # Each pattern needs a word a substring test finds far faster than the pattern can rule it out
    # (lint excerpts call this once per finding). casefold, as the patterns ignore case the Unicode way.
    folded = text.casefold()
    if "://" in text:
        text = _URL_PASSWORD.sub(lambda m: m["head"] + MASK + m["at"], text)
    if "pass" in folded or "pwd" in folded:
        text = _KV_PASSWORD.sub(lambda m: m["head"] + MASK, text)
    if "password" in folded or "identified" in folded:
        text = _SQL_PASSWORD.sub(lambda m: f"{m.group(1)}{m.group(2)}'{MASK}'", text)
    if _known:
        with _lock:
            secrets = sorted(_known, key=len, reverse=True)
        for s in secrets:
            if s in text:
                text = text.replace(s, MASK)
    return text

