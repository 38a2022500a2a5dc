"""Every static rule against its failing and passing fixture repository (tests/data/rules/<ID>/),
and no committed secret in any report format."""

from pathlib import Path

import pytest
import yaml

from pytest_dbaudit.audit import Audit, Options
from pytest_dbaudit.registry import implementation
from pytest_dbaudit.targets import REPO

RULES = Path(__file__).parent / "data" / "rules"
FIXTURES = sorted(p.name for p in RULES.iterdir() if p.is_dir())


def repo_of(rule: str, kind: str) -> Path:
    """``<ID>/fail`` and ``<ID>/pass``, or the repository ``expect.yaml`` points at (``repo:``) when another
    test's fixture already is that repository."""
    expect = yaml.safe_load((RULES / rule / "expect.yaml").read_text()).get(kind) or {}
    return (RULES / rule / expect["repo"]).resolve() if "repo" in expect else RULES / rule / kind


def run_rule(rule: str, repo: Path):
    audit = Audit(Options(repo=repo, rootdir=repo, containers=False))
    result, _ = audit.run(audit.catalog.items[rule], "static", REPO)
    return result


def test_every_static_rule_has_both_fixtures():
    audit = Audit(Options(repo=RULES, rootdir=RULES, containers=False))
    static = sorted(i for i in audit.catalog.items if implementation(i, "static"))
    assert FIXTURES == static
    for rule in FIXTURES:
        assert repo_of(rule, "fail").is_dir() and repo_of(rule, "pass").is_dir(), rule


@pytest.mark.parametrize("rule", FIXTURES)
def test_failing_fixture(rule):
    expect = yaml.safe_load((RULES / rule / "expect.yaml").read_text())["fail"]
    result = run_rule(rule, repo_of(rule, "fail"))
    assert result.outcome.value == expect["outcome"], (result.reason, result.findings)
    assert sorted(f"{f.location}: {f.message}" for f in result.findings) == expect.get("findings", [])
    if "reason" in expect:
        assert expect["reason"] in result.reason


@pytest.mark.parametrize("rule", FIXTURES)
def test_passing_fixture(rule):
    result = run_rule(rule, repo_of(rule, "pass"))
    assert result.outcome.value == "pass", (result.reason, result.findings)
    assert result.evidence, "a pass shows what it looked at"


@pytest.mark.parametrize("rule", [r for r in FIXTURES
                                  if yaml.safe_load((RULES / r / "expect.yaml").read_text()).get("secrets")])
def test_no_report_prints_a_committed_secret(rule, pytester, tmp_path):
    """The whole plugin over the fixture, every report format written, each grepped for every secret."""
    secrets = yaml.safe_load((RULES / rule / "expect.yaml").read_text())["secrets"]
    repo = repo_of(rule, "fail")
    for s in secrets:  # the fixture really contains them
        assert any(s in p.read_text(errors="replace") for p in repo.rglob("*") if p.is_file()), s
    out = tmp_path / "reports"
    result = pytester.runpytest_subprocess(
        "--dbaudit", f"--dbaudit-repo={repo}", "--dbaudit-no-containers", "-rA", "-vv",
        f"--dbaudit-json={out / 'audit.json'}", f"--junitxml={out / 'junit.xml'}", f"--html={out / 'audit.html'}",
        "--self-contained-html")
    outputs = {"terminal": "\n".join(result.outlines + result.errlines)}
    outputs |= {p.name: p.read_text() for p in out.iterdir()}
    assert set(outputs) == {"terminal", "audit.json", "junit.xml", "audit.html"}
    assert f"{rule}[repo]" in outputs["terminal"] and "****" in outputs["audit.json"]
    for name, text in outputs.items():
        for s in secrets:
            assert s not in text, f"{s!r} printed in {name}"
