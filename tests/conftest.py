"""Helpers for running pytest --dbaudit in a scratch project (a subprocess per run)."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
DATA = Path(__file__).resolve().parent / "data"


@dataclass
class AuditRun:
    result: pytest.RunResult
    json: dict
    junit: ET.Element
    text: str

    def outcome(self, nodeid_part: str) -> str:
        hits = [i["outcome"] for i in self.json["items"] if nodeid_part in i["nodeid"]]
        assert len(hits) == 1, (nodeid_part, hits)
        return hits[0]

    def item(self, nodeid_part: str) -> dict:
        hits = [i for i in self.json["items"] if nodeid_part in i["nodeid"]]
        assert len(hits) == 1, (nodeid_part, [i["nodeid"] for i in hits])
        return hits[0]

    def level(self, section: str):
        return self.json["levels"]["sections"][section]["level"]


@pytest.fixture
def audit(pytester: pytest.Pytester):
    """``audit(*args)`` runs pytest --dbaudit in the pytester dir with JSON and JUnit reports."""

    def run(*args: str, timeout: float = 300) -> AuditRun:
        out = pytester.path / "out"
        out.mkdir(exist_ok=True)
        result = pytester.runpytest_subprocess(
            "--dbaudit", f"--dbaudit-json={out / 'report.json'}", f"--junitxml={out / 'junit.xml'}", "-rA", *args,
            timeout=timeout,
        )
        text = "\n".join(result.outlines + result.errlines)
        data = json.loads((out / "report.json").read_text()) if (out / "report.json").exists() else {}
        junit = ET.parse(out / "junit.xml").getroot() if (out / "junit.xml").exists() else ET.Element("none")
        return AuditRun(result, data, junit, text)

    return run


def write(base: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip("\n"))
