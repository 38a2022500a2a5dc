"""The maturity rule, its caps, and that flipping one outcome moves the levels exactly as documented."""

import pytest

from pytest_dbaudit.gates import evaluate
from pytest_dbaudit.maturity import compute

SECTIONS = ["security", "backup"]


def rec(id, section, level, outcome, severity="High", target="repo", findings=()):
    return {"id": id, "section": section, "level": level, "outcome": outcome, "severity": severity,
            "target": target, "findings": list(findings)}


def base():
    return [
        rec("SE-01", "security", 2, "pass"), rec("SE-02", "security", 3, "pass"),
        rec("SE-03", "security", 4, "fail"), rec("SE-04", "security", 5, "pass"),
        rec("BR-01", "backup", 2, "pass"), rec("BR-02", "backup", 3, "waived"),
        rec("BR-03", "backup", 4, "not-applicable"), rec("BR-04", "backup", 5, "pass"),
    ]


def test_section_is_highest_level_whose_items_all_pass():
    levels = compute(base(), SECTIONS)
    assert levels.sections["security"].level == 3
    assert levels.sections["security"].capped_by == ["SE-03"]
    # waived counts as passed, not-applicable is left out: nothing blocks backup
    assert levels.sections["backup"].level == 5
    assert levels.sections["backup"].capped_by == []
    assert levels.overall == 3 and levels.overall_capped_by == ["security"]


@pytest.mark.parametrize("outcome", ["fail", "unknown", "not-demonstrated", "error"])
def test_flipping_one_item_moves_levels_exactly(outcome):
    records = base()
    # SE-01 gates level 2: when it stops passing, security drops to 1 and so does overall.
    records[0]["outcome"] = outcome
    levels = compute(records, SECTIONS)
    assert levels.sections["security"].level == 1
    assert levels.sections["security"].capped_by == ["SE-01"]
    assert levels.sections["backup"].level == 5
    assert levels.overall == 1
    # And flipping SE-03 (gates 4) to pass lifts security from 3 to 5 when SE-01 passes again.
    records[0]["outcome"] = "pass"
    records[2]["outcome"] = "pass"
    levels = compute(records, SECTIONS)
    assert levels.sections["security"].level == 5 and levels.overall == 5


def test_not_applicable_is_left_out_but_waiver_counts():
    records = base()
    records[5]["outcome"] = "fail"  # BR-02 (gates 3) fails
    assert compute(records, SECTIONS).sections["backup"].level == 2
    records[5]["outcome"] = "not-applicable"
    assert compute(records, SECTIONS).sections["backup"].level == 5


def test_an_item_must_hold_on_every_target():
    records = base() + [rec("SE-01", "security", 2, "fail", target="postgresql://db/x")]
    assert compute(records, SECTIONS).sections["security"].level == 1


def test_section_without_applicable_items_has_no_level_and_is_not_in_overall():
    records = [rec("SE-01", "security", 2, "pass"), rec("BR-01", "backup", 2, "not-applicable")]
    levels = compute(records, SECTIONS)
    assert levels.sections["backup"].level is None
    assert levels.overall == 5


def test_lowest_blocking_level_wins_and_all_blockers_at_it_are_named():
    records = [rec("SE-01", "security", 3, "fail"), rec("SE-02", "security", 3, "unknown"),
               rec("SE-03", "security", 2, "pass"), rec("SE-04", "security", 4, "fail")]
    s = compute(records, SECTIONS).sections["security"]
    assert s.level == 2 and s.capped_by == ["SE-01", "SE-02"]
    assert s.counts["fail"] == 2 and s.counts["unknown"] == 1 and s.counts["pass"] == 1


def test_gates_fail_under_overall_and_section_and_fail_on():
    levels = compute(base(), SECTIONS)
    assert evaluate(levels, base(), {"overall": 3}, None) == []
    reasons = evaluate(levels, base(), {"overall": 4}, None)
    assert reasons == ["overall level 3 < 4; sections below 4: security (3)"]
    assert evaluate(levels, base(), {"security": 4}, None) == ["section security level 3 < 4 (capped by SE-03)"]
    assert evaluate(levels, base(), {"backup": 5}, None) == []
    # SE-03 failed with severity High: caught by fail-on High, not by fail-on Critical
    assert evaluate(levels, base(), {}, "Critical") == []
    assert "1 failed item(s) at severity High or worse: SE-03[repo] (High)" in evaluate(levels, base(), {}, "High")[0]
    # a finding's own severity overrides the item's (e.g. a local-only credential is Low)
    low = base()
    low[2]["findings"] = [{"message": "x", "severity": "Low"}]
    assert evaluate(compute(low, SECTIONS), low, {}, "Medium") == []
