"""Every outcome is distinct in the terminal, in JUnit XML and in the JSON report."""

import datetime as dt

from conftest import write

TODAY = dt.date.today()
PAST = (TODAY - dt.timedelta(days=10)).isoformat()
FUTURE = (TODAY + dt.timedelta(days=30)).isoformat()
OLD = (TODAY - dt.timedelta(days=500)).isoformat()

CATALOG = """
section: {prefix: CU, name: custom, title: Custom checks, order: 20}
items:
%s
"""
ITEM = """  - id: CU-%02d
    title: Custom item %d
    severity: %s
    level: %d
    modes: [%s]
    rationale: Because.
    remediation: Fix it.
"""
SPECS = [  # (n, severity, level, modes)
    (1, "High", 2, "static"),   # pass
    (2, "High", 3, "static"),   # fail
    (3, "Low", 2, "static"),    # not applicable
    (4, "Low", 2, "static"),    # unknown
    (5, "Medium", 2, "static"),  # error: the check raises
    (6, "Medium", 2, "static"),  # waived
    (7, "Medium", 2, "static"),  # expired waiver: fails
    (8, "Low", 2, "attest"),     # not demonstrated
    (9, "Low", 2, "attest"),     # attested: pass
    (10, "Low", 2, "attest"),    # stale attestation: not demonstrated
]

CONFTEST = """
from pytest_dbaudit.outcomes import Finding, NotApplicable, Undecided
from pytest_dbaudit.registry import check

@check("CU-01", "static")
def ok(repo, ctx):
    ctx.note("looked at %d files" % len(repo.files))
    return []

@check("CU-02", "static")
def bad(repo, ctx):
    return [Finding("something is wrong", location="db/schema.sql:1", observed="x", expected="y")]

@check("CU-03", "static")
def na(repo, ctx):
    raise NotApplicable("no such thing here")

@check("CU-04", "static")
def unk(repo, ctx):
    raise Undecided("needs GRANT pg_read_all_settings TO auditor")

@check("CU-05", "static")
def boom(repo, ctx):
    raise RuntimeError("check crashed")

@check("CU-06", "static")
@check("CU-07", "static")
def waived(repo, ctx):
    return [Finding("known problem")]
"""

CONFIG = f"""
[tool.dbaudit]
catalog = ["custom.yaml"]
attestation_max_age_days = 365

[[tool.dbaudit.waivers]]
id = "CU-06"
reason = "accepted until the migration to the new cluster"
expires = {FUTURE}
owner = "dba-team"

[[tool.dbaudit.waivers]]
id = "CU-07"
reason = "was accepted last quarter"
expires = {PAST}

[[tool.dbaudit.waivers]]
id = "CU-01"
reason = "never needed"
expires = {FUTURE}

[[tool.dbaudit.attestations]]
id = "CU-09"
by = "Jane Doe (DBA)"
date = {TODAY.isoformat()}
statement = "Restore drill done"
evidence = "docs/restore.md"

[[tool.dbaudit.attestations]]
id = "CU-10"
by = "John Roe"
date = {OLD}
statement = "Reviewed"
evidence = "docs/restore.md"
"""


def make_project(pytester):
    items = "".join(ITEM % (n, n, sev, lvl, modes) for n, sev, lvl, modes in SPECS)
    write(pytester.path, {
        "custom.yaml": CATALOG % items, "conftest.py": CONFTEST, "pyproject.toml": CONFIG,
        "db/schema.sql": "create table t (id int primary key);\n", "docs/restore.md": "# Restore\n",
    })


def test_each_outcome_is_distinct_everywhere(pytester, audit):
    make_project(pytester)
    run = audit("-k", "CU-")
    res = run.result
    assert res.ret == 1  # one failure and one error
    expected = {"CU-01": "pass", "CU-02": "fail", "CU-03": "not-applicable", "CU-04": "unknown", "CU-05": "error",
                "CU-06": "waived", "CU-07": "fail", "CU-08": "not-demonstrated", "CU-09": "pass",
                "CU-10": "not-demonstrated"}
    for iid, outcome in expected.items():
        assert run.outcome(f"::{iid}[") == outcome, iid

    # terminal: one word per outcome in the final line, and the letters in the progress line
    final = res.outlines[-1]
    for part in ("2 failed", "2 passed", "1 error", "1 not applicable", "1 unknown", "1 waived", "2 not demonstrated"):
        assert part in final, final
    assert "RuntimeError: check crashed" in run.text  # the traceback of the crashed check
    assert "waiver expired on" in run.text
    assert "unused waiver CU-01" in run.text

    # JUnit: failure vs error vs skipped with the outcome in the message and as a property
    cases = {tc.get("name"): tc for tc in run.junit.iter("testcase")}
    def props(tc):
        return {p.get("name"): p.get("value") for p in tc.iter("property")}
    for iid, outcome in expected.items():
        tc = next(v for k, v in cases.items() if k.startswith(f"{iid}["))
        p = props(tc)
        assert p["dbaudit_id"] == iid and p["dbaudit_section"] == "custom" and p["dbaudit_level"]
        assert p["dbaudit_severity"] in ("High", "Low", "Medium")
        if outcome == "error":
            assert tc.find("error") is not None and "dbaudit_outcome" not in p
            continue
        assert p["dbaudit_outcome"] == outcome
        if outcome == "fail":
            assert tc.find("failure") is not None
        elif outcome == "pass":
            assert tc.find("failure") is None and tc.find("skipped") is None
        else:
            word = {"not-applicable": "not applicable", "not-demonstrated": "not demonstrated"}.get(outcome, outcome)
            assert tc.find("skipped").get("message").startswith(word), (iid, tc.find("skipped").get("message"))

    # JSON: details that make each outcome actionable
    assert run.item("CU-02[").get("findings")[0] == {"message": "something is wrong", "location": "db/schema.sql:1",
                                                     "observed": "x", "expected": "y"}
    assert "GRANT pg_read_all_settings" in run.item("CU-04[")["reason"]
    assert "check crashed" in run.item("CU-05[")["reason"]
    assert run.item("CU-06[")["reason"].startswith(f"waived until {FUTURE}")
    assert "stale" in run.item("CU-10[")["reason"]
    assert "Jane Doe" in run.item("CU-09[")["evidence"][0]
    assert "looked at" in run.item("CU-01[")["evidence"][0]
    waivers = {w["id"]: w for w in run.json["waivers"]}
    assert waivers["CU-01"]["used"] is False and waivers["CU-06"]["used"] is True
    assert waivers["CU-07"]["expired"] is True
    assert run.json["schema"] == "pytest-dbaudit/report" and run.json["schema_version"] == 1
    # custom section: CU-03 is left out, everything else at level 2 blocks except passes and the waiver
    assert run.level("custom") == 1
    assert set(run.json["levels"]["sections"]["custom"]["capped_by"]) == {"CU-04", "CU-05", "CU-07", "CU-08", "CU-10"}


def test_attestation_with_missing_evidence_is_not_demonstrated(pytester, audit):
    make_project(pytester)
    (pytester.path / "docs" / "restore.md").unlink()
    run = audit("-k", "CU-09")
    assert run.outcome("CU-09[") == "not-demonstrated"
    assert "does not exist" in run.item("CU-09[")["reason"]
