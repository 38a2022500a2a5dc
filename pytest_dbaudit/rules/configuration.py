"""Configuration review & drift checks."""

from __future__ import annotations

from collections import defaultdict

from ..eol import series_of
from ..outcomes import Finding, Undecided
from ..registry import check
from ..sources.inventory import inventory_of


@check("CF-05", "static")
def version_parity(repo, ctx):
    """The same engine runs the same major version wherever it is declared (compose, Kubernetes, Terraform)."""
    by_engine: dict[str, list] = defaultdict(list)
    for s in inventory_of(repo).stores:
        if s.kind == "relational" and s.version:
            by_engine[s.engine].append(s)
    findings, compared = [], 0
    for engine, stores in by_engine.items():
        sources = {s.source for s in stores}
        majors = {series_of(engine, s.version): s for s in stores}
        if len(sources) < 2 and len(majors) < 2:
            continue
        compared += 1
        listing = ", ".join(f"{s.source} {s.name} {s.version} ({s.declared[0]})" for s in stores)
        if len(majors) > 1:
            findings.append(Finding(f"{engine} runs different release series: {listing}",
                                    location=stores[0].declared[0],
                                    observed=sorted(".".join(map(str, m)) for m in majors),
                                    expected="one release series everywhere"))
        else:
            ctx.note(f"{engine}: same release series everywhere: {listing}")
    if findings:
        return findings
    if not compared:
        raise Undecided("each engine is declared in only one place, so there is nothing to compare "
                        "(declare environments in compose, Kubernetes or Terraform)")
    return []
