"""A malformed catalog or config stops the run with one message naming the file, the item and the field."""

import shutil

import pytest

from conftest import REPO, write
from pytest_dbaudit.catalog import load_catalog
from pytest_dbaudit.errors import DbauditUsageError

GOOD_ITEM = """
section: security
items:
  - id: ACME-1
    title: Our own rule
    severity: High
    level: 3
    modes: [attest]
    rationale: r
    remediation: f
"""


@pytest.mark.parametrize("change,message", [
    ("severity: High", "item ACME-1, field 'severity': 'Severe' is not one of Critical|High|Medium|Low|Info"),
    ("level: 3", "item ACME-1, field 'level': 7 is not a gate level"),
    ("modes: [attest]", "item ACME-1, field 'modes': must be a non-empty list of static, live, drill, attest"),
    ("    title: Our own rule\n", "item ACME-1, field 'title': missing"),
    ("id: ACME-1", "field 'id': must look like PREFIX-NN"),
])
def test_user_catalog_errors_name_file_item_field(pytester, change, message):
    bad = {"severity: High": "severity: Severe", "level: 3": "level: 7", "modes: [attest]": "modes: [sometimes]",
           "    title: Our own rule\n": "", "id: ACME-1": "id: acme one"}[change]
    write(pytester.path, {"extra.yaml": GOOD_ITEM.replace(change, bad),
                          "dbaudit.yaml": "catalog: [extra.yaml]\n"})
    result = pytester.runpytest_subprocess("--dbaudit")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = "\n".join(result.errlines)
    assert "catalog error in " in err and "extra.yaml" in err and message in err, err
    assert "Traceback" not in err


def test_good_user_item_is_collected_and_counts(pytester):
    write(pytester.path, {"extra.yaml": GOOD_ITEM, "dbaudit.yaml": "catalog: [extra.yaml]\n"})
    result = pytester.runpytest_subprocess("--dbaudit", "--collect-only", "-q")
    assert "dbaudit/security::ACME-1[attest]" in result.outlines


def test_duplicate_id_and_bad_yaml(pytester):
    write(pytester.path, {"dup.yaml": GOOD_ITEM.replace("ACME-1", "SE-01"), "dbaudit.yaml": "catalog: [dup.yaml]\n"})
    err = "\n".join(pytester.runpytest_subprocess("--dbaudit").errlines)
    assert "item SE-01, field 'id': duplicate id, already defined in checks/security.yaml" in err
    write(pytester.path, {"dup.yaml": "section: security\nitems: [\n"})
    err = "\n".join(pytester.runpytest_subprocess("--dbaudit").errlines)
    assert "catalog error in " in err and "not valid YAML at line" in err


def test_malformed_builtin_catalog_is_reported_with_its_file(tmp_path):
    shutil.copytree(REPO / "checks", tmp_path / "checks")
    path = tmp_path / "checks" / "backup.yaml"
    path.write_text(path.read_text().replace("id: BR-02", "id: BR-02\n    colour: blue", 1))
    with pytest.raises(DbauditUsageError) as exc:
        load_catalog(builtin_dir=tmp_path / "checks")
    assert str(exc.value).startswith("catalog error in checks/backup.yaml, item BR-02: unknown key(s): colour")


@pytest.mark.parametrize("config,message", [
    ("[tool.dbaudit]\nfail_onn = 'High'\n", "'fail_onn' is not a known key"),
    ("[tool.dbaudit]\nfail_on = 'Severe'\n", "'fail_on' must be one of Critical|High|Medium|Low|Info"),
    ("[tool.dbaudit]\nfail_under = 'securty=3'\n", "'fail_under' names unknown section 'securty'"),
    ("[[tool.dbaudit.waivers]]\nid = 'SE-07'\nreason = 'x'\n", "'waivers[0].expires' is required"),
    ("[[tool.dbaudit.waivers]]\nid = 'ZZ-99'\nreason = 'x'\nexpires = 2030-01-01\n", "'waivers[0].id' 'ZZ-99' matches no catalog item"),
    ("[[tool.dbaudit.attestations]]\nid = 'BR-01'\nby = 'me'\ndate = 2026-01-01\nstatement = 's'\n", "'attestations[0].evidence' is required"),
    ("[tool.dbaudit.thresholds]\nSE-07 = {nope = 1}\n", "'thresholds.SE-07.nope' is not a threshold of SE-07"),
    ("[tool.dbaudit.live]\nstatement_timeout_ms = -5\n", "'live.statement_timeout_ms' must be a positive number"),
    ("[tool.dbaudit]\ntargets = [{url_env = 'X', url = 'y'}]\n", "'targets[0]' needs exactly one of url, url_env"),
    ("[tool.dbaudit.schema]\nimport_models = 'app/models.py'\n",
     "'schema.import_models' must be true, false or a list of module names"),
])
def test_config_errors_name_the_key(pytester, config, message):
    write(pytester.path, {"pyproject.toml": config})
    result = pytester.runpytest_subprocess("--dbaudit")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = "\n".join(result.errlines)
    assert "config error in " in err and "pyproject.toml" in err and message in err, err


def test_section_gate_in_config(pytester):
    write(pytester.path, {"dbaudit.yaml": "fail_under: security=3\nfail_on: critical\n"})
    result = pytester.runpytest_subprocess("--dbaudit", "-k", "SE-11")
    assert result.ret == 1
    assert "dbaudit gate failed: section security level n/a < 3" in "\n".join(result.outlines)


def test_command_line_gate_errors(pytester):
    err = "\n".join(pytester.runpytest_subprocess("--dbaudit", "--dbaudit-fail-under", "9").errlines)
    assert "'--dbaudit-fail-under' level for overall must be 1-5, got 9" in err
    err = "\n".join(pytester.runpytest_subprocess("--dbaudit", "--dbaudit-db", "oracle://x@h/db").errlines)
    assert "unsupported URL scheme 'oracle'" in err


def test_catalog_reference_is_generated_from_the_yaml():
    from pytest_dbaudit.catalog_docs import render

    assert (REPO / "docs" / "catalog.md").read_text() == render(load_catalog()), \
        "docs/catalog.md is stale: python -m pytest_dbaudit.catalog_docs > docs/catalog.md"


def test_the_documented_example_config_is_valid(tmp_path):
    """docs/configuration.md's example passes the same validation as a user's file (keys, ids, thresholds)."""
    import re
    from pathlib import Path

    from pytest_dbaudit.audit import Audit, Options

    text = (Path(__file__).parents[1] / "docs" / "configuration.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    (tmp_path / "dbaudit.yaml").write_text(block)
    (tmp_path / "audit").mkdir()
    (tmp_path / "audit" / "our-rules.yaml").write_text("section: security\nitems: []\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "restore.md").write_text("restore drill\n")
    audit = Audit(Options(repo=tmp_path, rootdir=tmp_path))
    assert audit.cfg.live["connect_timeout_s"] == 3
    assert audit.cfg.targets[2].databases == "all"
    assert audit.cfg.targets[2].thresholds == {"PF-17": {"cache_hit_min_pct": 90}}
