"""pytest items: one per (catalog item x target), plus one connection item per live target.

The check runs in ``setup`` so that a check that crashes is a pytest *error* (E, JUnit <error>),
distinct from a finding, which fails in ``call`` (F, JUnit <failure>).
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from .outcomes import Outcome, Result, TargetUnavailable
from .redact import redact

# Skip-message prefixes double as the terminal/JUnit category for outcomes pytest has no word for.
SKIP_PREFIX = {
    Outcome.NOT_APPLICABLE: "not applicable",
    Outcome.UNKNOWN: "unknown",
    Outcome.WAIVED: "waived",
    Outcome.NOT_DEMONSTRATED: "not demonstrated",
}


def nodeid_for(section: str, item_id: str, label: str) -> str:
    # "dbaudit/<section>" plays the file part of the id: pytest groups the progress output by it,
    # JUnit uses it as the class name, and the target URL stays out of path normalisation.
    return f"dbaudit/{section}::{item_id}[{label}]"


class AuditItem(pytest.Item):
    def __init__(self, *, planned, audit, **kwargs: Any):
        super().__init__(**kwargs)
        self.planned = planned
        self.audit = audit
        self.result: Result | None = None
        self.queries: list[str] = []
        self.waiver_index: int | None = None
        self.seconds = 0.0
        item = planned.item
        for name in (f"dbaudit_{item.section}", f"dbaudit_{planned.mode}", f"dbaudit_{item.severity.lower()}", "dbaudit"):
            self.add_marker(name)
        self.user_properties.extend([
            ("dbaudit_id", item.id), ("dbaudit_section", item.section), ("dbaudit_severity", item.severity),
            ("dbaudit_level", str(item.level)), ("dbaudit_mode", planned.mode), ("dbaudit_target", planned.target.label),
        ])

    def setup(self) -> None:
        p = self.planned
        start = time.perf_counter()
        try:
            result, self.queries = self.audit.run(p.item, p.mode, p.target)
        finally:
            self.seconds = time.perf_counter() - start
        self.result, self.waiver_index = self.audit.apply_waiver(p.item, p.target, result)
        self.user_properties.append(("dbaudit_outcome", self.result.outcome.value))

    def runtest(self) -> None:
        r = self.result
        assert r is not None
        if r.outcome is Outcome.PASS:
            return
        if r.outcome is Outcome.FAIL:
            pytest.fail(self.failure_text(), pytrace=False)
        pytest.skip(f"{SKIP_PREFIX[r.outcome]}: {r.reason}")

    def failure_text(self) -> str:
        item, r = self.planned.item, self.result
        lines = [f"{item.id} {item.title} [{item.severity}, gates level {item.level}] on {self.planned.target.label}"]
        if r.reason:
            lines.append(f"  {r.reason}")
        shown = r.findings[:50]
        for f in shown:
            where = f"{f.location}: " if f.location else ""
            sev = f" [{f.severity}]" if f.severity and f.severity != item.severity else ""
            lines.append(f"  - {where}{f.message}{sev}")
            seen = [f"{k}: {v}" for k, v in (("observed", f.observed), ("expected", f.expected)) if v is not None]
            if seen:
                lines.append("      " + "; ".join(seen))
        if len(r.findings) > len(shown):
            lines.append(f"  ... and {len(r.findings) - len(shown)} more (see the JSON report)")
        lines.append(f"  fix: {item.remediation}")
        return redact("\n".join(lines))

    def reportinfo(self):
        return self.path, None, f"{self.planned.item.id} {self.planned.item.title} [{self.planned.target.label}]"

    def record(self, report) -> dict[str, Any]:
        """What travels with the report (also across xdist workers) to the summary and JSON."""
        item, p = self.planned.item, self.planned
        r = self.result
        if r is None:  # the check raised in setup
            outcome, reason, findings, evidence, parts = Outcome.ERROR.value, _error_line(report), [], [], []
        else:
            outcome, reason = r.outcome.value, r.reason
            findings = [f.to_dict() for f in r.findings]
            evidence = r.evidence
            parts = r.parts
        return {
            "nodeid": self.nodeid, "id": item.id, "title": item.title, "section": item.section, "level": item.level,
            "severity": item.severity, "mode": p.mode, "target": p.target.label, "outcome": outcome,
            "reason": redact(reason), "findings": findings, "evidence": evidence, "parts": parts,
            "queries": [redact(q) for q in self.queries], "waiver": self.waiver_index,
            "duration_s": round(self.seconds, 4), "custom": not item.builtin,
        }


class TargetItem(pytest.Item):
    """Connects to one live target once; its failure is the single clear error for that target."""

    def __init__(self, *, target, audit, **kwargs: Any):
        super().__init__(**kwargs)
        self.target = target
        self.audit = audit
        self.info: dict[str, Any] = {"kind": "live", "label": target.label, "engine": target.engine, "name": target.name}
        self.add_marker("dbaudit")
        self.add_marker("dbaudit_live")

    def setup(self) -> None:
        try:
            db = self.audit.live(self.target)
        except TargetUnavailable as exc:
            db, error = None, redact(str(exc))
        if db is None:
            self.info.update(status="unreachable", error=error)
            pytest.fail(error, pytrace=False)
        self.info.update(status="connected", flavor=db.flavor, version=db.version, version_full=db.version_full,
                         database=db.database, connect_s=round(db.connect_seconds, 3))

    def runtest(self) -> None:
        pass

    def reportinfo(self):
        return self.path, None, f"connect {self.target.label}"

    def record(self, report) -> dict[str, Any]:
        return {"target": self.info}


def _error_line(report) -> str:
    """The exception line of a failure report ("E   RuntimeError: boom"), else its last line."""
    crash = getattr(getattr(report.longrepr, "reprcrash", None), "message", None)
    if crash:
        return redact(crash.splitlines()[0])
    text = str(report.longrepr or "").strip()
    if not text:
        return ""
    e_lines = [ln[1:].strip() for ln in text.splitlines() if ln.startswith("E ")]
    return redact(e_lines[-1] if e_lines else text.splitlines()[-1].strip())


def user_test_record(item, report, mark) -> dict[str, Any] | None:
    """A user's own test marked ``@pytest.mark.dbaudit(id=..., section=..., level=..., severity=...)``."""
    kw = mark.kwargs
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if report.passed:
            outcome, reason = Outcome.PASS, ""
        elif report.skipped:
            if hasattr(report, "wasxfail"):
                outcome, reason = Outcome.WAIVED, f"expected failure: {report.wasxfail}"
            else:
                outcome = Outcome.NOT_APPLICABLE
                reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        elif report.when == "setup":
            outcome, reason = Outcome.ERROR, _error_line(report)
        else:
            outcome, reason = Outcome.FAIL, _error_line(report)
        return {
            "nodeid": item.nodeid, "id": kw.get("id", item.name), "title": kw.get("title", item.name),
            "section": kw["section"], "level": kw["level"], "severity": kw.get("severity", "Medium"),
            "mode": kw.get("mode", "custom"), "target": kw.get("target", "custom"), "outcome": outcome.value,
            "reason": redact(str(reason)), "findings": [], "evidence": [], "queries": [], "waiver": None,
            "duration_s": round(report.duration, 4), "custom": True,
        }
    return None


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, default=str)
