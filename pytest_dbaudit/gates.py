"""CI gates: --dbaudit-fail-under LEVEL|section=LEVEL and --dbaudit-fail-on SEVERITY."""

from __future__ import annotations

from typing import Iterable, Mapping

from .catalog import SEVERITIES
from .maturity import Levels


def evaluate(levels: Levels, records: Iterable[Mapping], fail_under: Mapping[str, int], fail_on: str | None) -> list[str]:
    """One reason per violated gate; empty when the run passes its gates."""
    reasons: list[str] = []
    for name, want in fail_under.items():
        if name == "overall":
            below = [f"{s.name} ({s.level})" for s in levels.sections.values() if s.level is not None and s.level < want]
            if levels.overall is None:
                reasons.append(f"overall level is n/a (nothing applicable), required {want}")
            elif levels.overall < want:
                reasons.append(f"overall level {levels.overall} < {want}; sections below {want}: {', '.join(below)}")
        else:
            sec = levels.sections[name]
            if sec.level is None or sec.level < want:
                got = "n/a" if sec.level is None else sec.level
                capped = f" (capped by {', '.join(sec.capped_by)})" if sec.capped_by else ""
                reasons.append(f"section {name} level {got} < {want}{capped}")
    if fail_on:
        limit = SEVERITIES.index(fail_on)
        hits = []
        for r in records:
            if r["outcome"] != "fail":
                continue
            sevs = [f.get("severity") or r["severity"] for f in r.get("findings") or []] or [r["severity"]]
            worst = min(SEVERITIES.index(s) for s in sevs if s in SEVERITIES)
            if worst <= limit:
                hits.append(f"{r['id']}[{r['target']}] ({SEVERITIES[worst]})")
        if hits:
            shown = ", ".join(dict.fromkeys(hits[:10])) + (f" and {len(hits) - 10} more" if len(hits) > 10 else "")
            reasons.append(f"{len(hits)} failed item(s) at severity {fail_on} or worse: {shown}")
    return reasons
