"""The hooks that run while the audit is on: collection, outcomes, levels, gates, reports.

Results travel on the test reports (``report.dbaudit``), so the controller of a pytest-xdist run
sees the same records as a serial run and computes the same levels.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from .items import SKIP_PREFIX, AuditItem, TargetItem, nodeid_for, user_test_record
from .maturity import Levels, compute
from .outcomes import Outcome

_STATUS = {
    Outcome.NOT_APPLICABLE.value: ("not applicable", "n", "N/A"),
    Outcome.UNKNOWN.value: ("unknown", "?", "UNKNOWN"),
    Outcome.WAIVED.value: ("waived", "w", "WAIVED"),
    Outcome.NOT_DEMONSTRATED.value: ("not demonstrated", "d", "NOT DEMONSTRATED"),
}


class AuditPlugin:
    def __init__(self, config: pytest.Config, audit):
        self.config = config
        self.audit = audit
        self.records: list[dict[str, Any]] = []
        self.targets: list[dict[str, Any]] = []
        self.levels: Levels | None = None
        self.gate_reasons: list[str] = []
        self.started = time.time()
        self.is_worker = hasattr(config, "workerinput")
        for name in audit.catalog.sections:  # sections added by user catalogs get markers too
            config.addinivalue_line("markers", f"dbaudit_{name}: audit items of section {name}")

    # -- collection ------------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config, items: list) -> None:
        new: list[pytest.Item] = []
        for target in self.audit.live_targets:
            new.append(TargetItem.from_parent(
                session, name=f"connect[{target.label}]", nodeid=f"dbaudit/targets::connect[{target.label}]",
                target=target, audit=self.audit))
        for planned in self.audit.plan():
            label = planned.target.label
            new.append(AuditItem.from_parent(
                session, name=f"{planned.item.id}[{label}]",
                nodeid=nodeid_for(planned.item.section, planned.item.id, label),
                planned=planned, audit=self.audit))
        for item in new:
            session.ihook.pytest_itemcollected(item=item)
        if new:
            # Lets the terminal count the audit items in its "collected N items" line.
            session.ihook.pytest_collectreport(
                report=pytest.CollectReport("dbaudit", "passed", None, new))
        if config.getoption("dbaudit_only"):
            others = [i for i in items if i.get_closest_marker("dbaudit") is None]
            if others:
                config.hook.pytest_deselected(items=others)
            items[:] = [i for i in items if i.get_closest_marker("dbaudit") is not None]
        items[:0] = new

    # -- outcomes --------------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call):
        report = yield
        record = None
        if isinstance(item, AuditItem):
            if report.when == "call" or (report.when == "setup" and not report.passed):
                record = item.record(report)
        elif isinstance(item, TargetItem):
            if report.when == "call" or (report.when == "setup" and not report.passed):
                record = item.record(report)
        else:
            mark = item.get_closest_marker("dbaudit")
            if mark is not None and {"section", "level"} <= set(mark.kwargs):
                record = user_test_record(item, report, mark)
        if record is not None:
            report.dbaudit = record
            _html_extras(report, record)
        return report

    def pytest_report_teststatus(self, report, config):
        record = getattr(report, "dbaudit", None)
        if not record or "outcome" not in record or not report.skipped:
            return None
        return _STATUS.get(record["outcome"])

    def pytest_runtest_logreport(self, report) -> None:
        record = getattr(report, "dbaudit", None)
        if not record:
            return
        if "target" in record and isinstance(record["target"], dict):
            self.targets.append(record["target"])
        else:
            self.records.append(record)

    # -- end of run ------------------------------------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus) -> None:
        if self.is_worker:
            return
        from .gates import evaluate

        self.levels = compute(self.records, self.audit.catalog.sections)
        self.gate_reasons = evaluate(self.levels, self.records, self.audit.fail_under, self.audit.fail_on)
        if self.gate_reasons and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        path = self.config.getoption("dbaudit_json")
        if path:
            from .reports.json_report import write_json

            write_json(path, self, time.time() - self.started)

    def pytest_terminal_summary(self, terminalreporter, exitstatus, config) -> None:
        if self.is_worker or self.levels is None:
            return
        from .reports.terminal import write_summary

        write_summary(terminalreporter, self)

    def pytest_unconfigure(self, config) -> None:
        self.audit.close()

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix, summary, postfix, session=None) -> None:
        if self.levels is None:
            return
        from .reports.html import maturity_html

        prefix.append(maturity_html(self))

    def used_waivers(self) -> set[int]:
        return {r["waiver"] for r in self.records if r.get("waiver") is not None}


def _html_extras(report, record: dict[str, Any]) -> None:
    """Evidence and findings for pytest-html's row details (ignored when pytest-html is absent)."""
    if "outcome" not in record:
        return
    from .reports.html import item_html

    extras = getattr(report, "extras", [])
    extras.append({"name": "dbaudit", "format_type": "html", "content": item_html(record), "mime_type": None,
                   "extension": None})
    report.extras = extras


__all__ = ["AuditPlugin", "SKIP_PREFIX"]
