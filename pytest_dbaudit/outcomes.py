"""What a check can conclude, and the finding it reports when something is wrong."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Outcome(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not-applicable"
    UNKNOWN = "unknown"  # could not be decided; never counted as a pass
    ERROR = "error"  # the check itself raised
    WAIVED = "waived"
    NOT_DEMONSTRATED = "not-demonstrated"  # attestation missing or stale

    @property
    def counts_as_passed(self) -> bool:
        return self in (Outcome.PASS, Outcome.WAIVED)

    @property
    def applicable(self) -> bool:
        return self is not Outcome.NOT_APPLICABLE


OUTCOME_ORDER = [o.value for o in Outcome]


@dataclass
class Finding:
    """One concrete defect: what was seen, where, what was expected, how to fix it."""

    message: str
    location: str = ""  # file:line or database object
    observed: Any = None
    expected: Any = None
    severity: str | None = None  # defaults to the item's severity
    remediation: str | None = None  # defaults to the item's remediation

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


@dataclass
class Result:
    outcome: Outcome
    reason: str = ""  # why: n/a reason, what would decide an unknown, waiver reason ...
    findings: list[Finding] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)  # what was looked at / observed, shown on pass too
    parts: list[dict[str, Any]] = field(default_factory=list)  # live probes' own outcomes (live/probe.py)


class NotApplicable(Exception):
    """Raise from a check when the item does not apply to this target (the message says why)."""


class Undecided(Exception):
    """Raise from a check when it cannot decide; the message says what would decide it."""


class TargetUnavailable(Exception):
    """A target (database, container engine) could not be reached; one line, no traceback."""


PLAN_TIME = "values known only at plan time: "


def verdict(findings: list, undecided: list[str], judged: int, nothing: str, ctx=None, *,
            unknown_prefix: str = PLAN_TIME, note_prefix: str = "unresolved: ") -> list:
    """The shared ending of a rule that judges several things: findings win (what could not be decided is
    noted when ``ctx`` is given); otherwise anything undecided leaves it unknown (``unknown_prefix`` + the
    list); a rule that judged nothing is unknown with ``nothing`` as the reason."""
    if findings:
        for u in undecided if ctx is not None else ():
            ctx.note(f"{note_prefix}{u}")
        return findings
    if undecided:
        raise Undecided(unknown_prefix + "; ".join(undecided))
    if not judged:
        raise Undecided(nothing)
    return []
