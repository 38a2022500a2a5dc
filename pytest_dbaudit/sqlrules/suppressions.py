"""Inline suppressions, each with a reason, and the rules that keep them honest.

::

    -- dbaudit: ignore[ban-drop-column, renaming-column] the column is unused since release 42
    ALTER TABLE t DROP COLUMN legacy;

    ALTER TABLE t DROP COLUMN legacy;  -- dbaudit: ignore[ban-drop-column] unused since release 42

    -- dbaudit: ignore-file[require-lock-timeout] lock_timeout is set on the migration role

A statement suppression applies to the statement the comment is in or ends the line of, or else
to the next statement. A suppression without a reason suppresses nothing. squawk's own comments
(``-- squawk-ignore rule -- reason``, ``-- squawk-ignore-file``) are honoured the same way, so a
project that already runs squawk does not annotate twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .registry import get_rule, meta_rule
from .source import Comment, Statement, excerpt

# Parses the text of a comment the scanner already found, never SQL.
_DBAUDIT = re.compile(r"^\s*dbaudit\s*:\s*(?P<kind>ignore-file|ignore)\b\s*"
                      r"(?:\[(?P<rules>[^\]]*)\])?\s*(?P<reason>.*)$",
                      re.IGNORECASE | re.DOTALL)
_SQUAWK = re.compile(r"^\s*squawk-(?P<kind>ignore-file|ignore)\b(?P<rest>.*)$", re.DOTALL)
# squawk's names that differ from ours
_SQUAWK_ALIASES = {"prefer-timestamp-tz": ["prefer-timestamptz"],
                   "require-timeout-settings": ["require-lock-timeout", "require-statement-timeout"]}
# squawk 2.70's opt-in rules this linter does not have: known names, nothing to suppress here
_SQUAWK_ONLY = frozenset((
    "ban-drop-index", "ban-drop-trigger", "ban-drop-policy", "ban-revoke", "ban-disable-trigger",
    "ban-replica-identity", "ban-replace-view-function", "ban-alter-generated-expression", "ban-set-default",
    "ban-alter-policy-condition", "ban-alter-policy-roles", "ban-create-policy", "ban-alter-function-options",
    "ban-alter-view-options", "ban-alter-role-options", "ban-alter-database-options", "ban-alter-row-level-security",
    "ban-new-write-restriction", "ban-add-enum-value", "ban-add-composite-attribute", "ban-add-column",
    "ban-detach-inheritance", "ban-alter-sequence-values", "ban-alter-system-options", "ban-alter-extension"))

SUPPRESSION_WITHOUT_REASON = meta_rule(
    "suppression-without-reason", severity="Medium",
    summary="suppression comment without a reason",
    fix="write why the rule does not apply after the rule list: -- dbaudit: ignore[rule-id] why",
    why="A suppression is a decision someone made about a risk; without the reason the next reader "
        "cannot tell whether it still holds. A suppression without a reason suppresses nothing.")
UNKNOWN_SUPPRESSION = meta_rule(
    "unknown-suppression", severity="Medium", squawk="unused-ignore",
    summary="suppression naming a rule that does not exist (or malformed)",
    fix="use a rule id from docs/sql-rules.md: -- dbaudit: ignore[rule-id] reason",
    why="A typo in a rule id suppresses nothing, silently; the violation it was meant for is still "
        "reported, or worse, a later rename leaves a dead comment behind.")
UNUSED_SUPPRESSION = meta_rule(
    "unused-suppression", severity="Low",
    summary="suppression that suppresses nothing",
    fix="remove the comment, or move it next to the statement it is meant for",
    why="A suppression that no longer matches a violation is stale: the statement changed or the rule "
        "got more precise. Left in place it would silently hide a future, different violation.")
UNUSED_IGNORE = meta_rule(
    "unused-ignore", severity="Low", squawk="unused-ignore",
    summary="squawk-ignore comment naming a rule neither squawk nor dbaudit knows",
    fix="fix the rule name in the squawk-ignore comment",
    why="squawk reports ignore comments that name unknown rules; so does this linter, since it honours "
        "squawk-ignore comments too.")
META_RULES = {r.id for r in (SUPPRESSION_WITHOUT_REASON, UNKNOWN_SUPPRESSION, UNUSED_SUPPRESSION, UNUSED_IGNORE)}


@dataclass
class Suppression:
    comment: Comment
    file_wide: bool
    rules: list[str]  # our rule ids; empty with ``all_rules`` for a bare squawk-ignore
    reason: str
    squawk: bool = False
    all_rules: bool = False
    target: int | None = None  # index of the statement it applies to
    used: set[str] = field(default_factory=set)

    def covers(self, rule_id: str, stmt_index: int) -> bool:
        if not self.reason or (not self.file_wide and stmt_index != self.target):
            return False
        return self.all_rules or rule_id in self.rules


def has_markers(sql: str) -> bool:
    """Cheap test before asking the scanner for comments."""
    return "dbaudit" in sql or "squawk-ignore" in sql


def parse(comments: list[Comment], statements: list[Statement], dialect: str):
    """The suppressions in ``comments``, and (rule, message, comment) problems found in them."""
    found, problems = [], []
    for c in comments:
        m = _DBAUDIT.match(c.body)
        if m:
            names = [x.strip() for x in (m["rules"] or "").split(",") if x.strip()]
            if m["rules"] is None or not names:
                expected = f"malformed suppression: expected dbaudit: {m['kind'].lower()}[rule-id, ...] reason"
                problems.append((UNKNOWN_SUPPRESSION, expected, c))
                continue
            known = []
            for name in names:
                if get_rule(dialect, name) is None or name in META_RULES:
                    problems.append((UNKNOWN_SUPPRESSION, f"no {dialect} rule is called {name!r}", c))
                else:
                    known.append(name)
            sup = Suppression(c, m["kind"].lower() == "ignore-file", known, m["reason"].strip())
        else:
            m = _SQUAWK.match(c.body)
            if not m:
                continue
            names_part, _, reason = m["rest"].partition("--")
            names = [x.strip() for x in names_part.split(",") if x.strip()]
            known = []
            for name in names:
                ours = _SQUAWK_ALIASES.get(name, [name])
                if all(get_rule(dialect, x) is not None for x in ours):
                    known += ours
                elif name not in _SQUAWK_ONLY:
                    problems.append((UNUSED_IGNORE, f"squawk-ignore names unknown rule {name!r}", c))
            sup = Suppression(c, m["kind"] == "ignore-file", known, reason.strip(), squawk=True,
                              all_rules=not names)
        if not sup.reason:
            problems.append((SUPPRESSION_WITHOUT_REASON, "suppression without a reason suppresses nothing", c))
        if not sup.file_wide:
            sup.target = _target(c, statements)
        found.append(sup)
    return found, problems


def _target(c: Comment, statements: list[Statement]) -> int | None:
    """The statement a comment is in or trails, else the next one after it."""
    inside = [s for s in statements if s.start <= c.start and s.end_line >= c.line]
    if inside:
        return inside[-1].index
    after = [s for s in statements if s.start >= c.end]
    return after[0].index if after else None


def unused(suppressions: list[Suppression]):
    """(rule, message, comment) for each dbaudit suppression that matched nothing."""
    for sup in suppressions:
        if sup.squawk or not sup.reason:
            continue  # squawk does not flag its unused ignores; reasonless ones are reported already
        for name in sup.rules:
            if name not in sup.used:
                where = "in this file" if sup.file_wide else "on its statement"
                yield UNUSED_SUPPRESSION, f"{name} is suppressed but reports nothing {where}", sup.comment


def comment_excerpt(c: Comment) -> str:
    return excerpt(c.body)
