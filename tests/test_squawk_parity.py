"""Run the real squawk on the PostgreSQL samples and compare verdicts rule by rule.

Every difference between squawk's verdict and ours, on every sample and every rule both tools
have, must be listed (and explained) in the table in docs/sql-rules.md; an unexplained
difference, or a listed one that no longer happens, fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from test_sqlrules import SAMPLES, sample_options  # tests/ is on sys.path (rootdir conftest, prepend mode)

from pytest_dbaudit.sqlrules import lint, rules

REPO = Path(__file__).resolve().parents[1]
PG = SAMPLES / "postgresql"
SQUAWK_SERIES = "2.70"  # the version the documented differences were measured with (dev extra pins it)
SQUAWK_NAMES = {"prefer-timestamp-tz": "prefer-timestamptz"}  # squawk's JSON name -> its documented name


def _squawk() -> str:
    found = shutil.which("squawk") or shutil.which("squawk", path=str(Path(sys.executable).parent))
    if not found:
        msg = "the squawk binary (pip install squawk-cli, in the dev extra)"
        if os.environ.get("CI"):
            pytest.fail(f"CI requires {msg}, and it is not available", pytrace=False)
        pytest.skip(f"{msg} is not available")
    return found


@pytest.fixture(scope="module")
def squawk_verdicts() -> dict[str, set[str]]:
    """sample ("rule/flagged.sql") -> rule names squawk reports, one squawk run per set of options."""
    exe = _squawk()
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout
    assert f" {SQUAWK_SERIES}." in version, f"differences were documented for squawk {SQUAWK_SERIES}: {version}"
    groups: dict[tuple, list[Path]] = defaultdict(list)
    for d in sorted(p for p in PG.iterdir() if p.is_dir()):
        opts = sample_options(d, d.name, "postgresql")
        key = (opts.get("server_version"), opts.get("assume_in_transaction", False), opts.get("enable", ()))
        groups[key] += [d / "flagged.sql", d / "clean.sql"]
    verdicts: dict[str, set[str]] = {}
    for (version, in_tx, enable), files in groups.items():
        cmd = [exe, "--reporter", "json"]
        if version:
            cmd += ["--pg-version", f"{version[0]}.{version[1]}"]
        if in_tx:
            cmd.append("--assume-in-transaction")
        for name in enable:
            cmd += ["--include", name]
        run = subprocess.run(cmd + [str(f) for f in files], capture_output=True, text=True, cwd=PG, check=False)
        assert run.returncode in (0, 1) and run.stdout.strip().startswith("["), run.stderr
        for f in files:
            verdicts[f.relative_to(PG).as_posix()] = set()
        for v in json.loads(run.stdout):
            sample = Path(v["file"]).resolve().relative_to(PG.resolve()).as_posix()
            verdicts[sample].add(SQUAWK_NAMES.get(v["rule_name"], v["rule_name"]))
    return verdicts


def _ours(sample: str) -> set[str]:
    rule_dir = PG / sample.split("/")[0]
    return lint((PG / sample).read_text(), **sample_options(rule_dir, rule_dir.name, "postgresql")).rule_ids


def _documented() -> set[tuple[str, str, str, str]]:
    text = (REPO / "docs" / "sql-rules.md").read_text(encoding="utf-8")
    table = text.split("<!-- BEGIN SQUAWK DIFFERENCES -->", 1)[1].split("<!-- END SQUAWK DIFFERENCES -->", 1)[0]
    rows = set()
    for line in table.splitlines():
        m = re.match(r"^\| `([^`]+)` \| `([^`]+)` \| (flags|-) \| (flags|-) \| .+\|$", line)
        if m:
            rows.add(m.groups())
    return rows


def test_squawk_runs_on_every_sample(squawk_verdicts):
    assert len(squawk_verdicts) == 2 * len([p for p in PG.iterdir() if p.is_dir()])


def test_every_rule_squawk_reports_on_the_samples_is_one_of_ours(squawk_verdicts):
    ours = {r.id for r in rules("postgresql")}
    assert not set().union(*squawk_verdicts.values()) - ours


def test_differences_from_squawk_are_exactly_the_documented_ones(squawk_verdicts):
    shared = sorted(r.id for r in rules("postgresql") if r.squawk == r.id)
    found = set()
    for sample, theirs in sorted(squawk_verdicts.items()):
        mine = _ours(sample)
        for rule_id in shared:
            if (rule_id in theirs) != (rule_id in mine):
                found.add((sample, rule_id, "flags" if rule_id in theirs else "-", "flags" if rule_id in mine else "-"))
    documented = _documented()
    assert documented, "no difference table found in docs/sql-rules.md"
    assert sorted(found - documented) == [], "undocumented differences (add them, with the reason, to the table)"
    assert sorted(documented - found) == [], "documented differences that no longer happen"
