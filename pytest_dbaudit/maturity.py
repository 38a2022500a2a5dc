"""Maturity levels from outcomes — one rule, deterministic.

Rule (documented in docs/maturity.md):

* Every item gates one level L in 2..5. Level 1 is the floor.
* A section stands at the highest level L such that every *applicable* item of the section that
  gates a level <= L passed or is validly waived. Not-applicable items are left out; unknown,
  not-demonstrated, error and fail all block. An item run on several targets must hold on each.
* The items that cap a section are the blocking items that gate the level just above it.
* A section with no applicable item has no level ("n/a") and does not take part in the overall.
* Overall = the lowest section level (a database platform is as mature as its weakest area);
  the sections at that level are what caps it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .outcomes import OUTCOME_ORDER, Outcome

MAX_LEVEL = 5


@dataclass
class SectionLevel:
    name: str
    level: int | None  # None: nothing applicable
    counts: dict[str, int] = field(default_factory=dict)
    capped_by: list[str] = field(default_factory=list)  # item ids, sorted

    def to_dict(self) -> dict:
        return {"level": self.level, "counts": self.counts, "capped_by": self.capped_by}


@dataclass
class Levels:
    sections: dict[str, SectionLevel]
    overall: int | None
    overall_capped_by: list[str]

    def to_dict(self) -> dict:
        return {
            "rule": "section = highest L with every applicable item gating <= L passed or waived; overall = lowest section",
            "overall": {"level": self.overall, "capped_by": self.overall_capped_by},
            "sections": {k: v.to_dict() for k, v in self.sections.items()},
        }


def _passed(outcome: str) -> bool:
    return Outcome(outcome).counts_as_passed


def compute(records: Iterable[Mapping], section_order: Iterable[str]) -> Levels:
    """``records``: dicts with at least id, section, level and outcome."""
    by_section: dict[str, list[Mapping]] = {name: [] for name in section_order}
    for r in records:
        by_section.setdefault(r["section"], []).append(r)
    sections: dict[str, SectionLevel] = {}
    for name, recs in by_section.items():
        counts = {o: 0 for o in OUTCOME_ORDER}
        for r in recs:
            counts[r["outcome"]] += 1
        applicable = [r for r in recs if r["outcome"] != Outcome.NOT_APPLICABLE.value]
        if not applicable:
            sections[name] = SectionLevel(name, None, counts)
            continue
        blocking = [r for r in applicable if not _passed(r["outcome"])]
        lowest_block = min((int(r["level"]) for r in blocking), default=MAX_LEVEL + 1)
        level = max(1, min(MAX_LEVEL, lowest_block - 1))
        # sorted, so that a parallel run (records in any order) reports the same caps
        capped = sorted({r["id"] for r in blocking if int(r["level"]) == lowest_block})
        sections[name] = SectionLevel(name, level, counts, capped)
    rated = [s for s in sections.values() if s.level is not None]
    if not rated:
        return Levels(sections, None, [])
    overall = min(s.level for s in rated)
    return Levels(sections, overall, [s.name for s in rated if s.level == overall])
