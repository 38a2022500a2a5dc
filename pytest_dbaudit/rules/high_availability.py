"""High availability & disaster recovery checks."""

from __future__ import annotations

from ..outcomes import Finding, Undecided
from ..registry import check
from ._iac import cloud_stores


@check("HA-07", "static")
def spread_across_zones(repo, ctx):
    """RDS instances Multi-AZ, Cloud SQL REGIONAL (Aurora clusters place instances themselves)."""
    findings, undecided, judged = [], [], 0
    for s in cloud_stores(repo, ctx, "aws", "gcp"):
        where = s.declared[0]
        if s.name.startswith("aws_rds_cluster."):
            ctx.note(f"{s.name}: Aurora spreads storage over three zones; instance placement is not checked yet")
            continue
        key = "multi_az" if s.settings["cloud"] == "aws" else "availability_type"
        if key in s.unknown:
            undecided.append(f"{s.name}.{key} = {s.unknown[key]}")
            continue
        judged += 1
        value = s.settings.get(key)
        ok = value is True if key == "multi_az" else value == "REGIONAL"
        if not ok:
            findings.append(Finding(f"{s.name}: {key} = {value if value is not None else 'not set'}", location=where,
                                    observed=value, expected=True if key == "multi_az" else "REGIONAL"))
        else:
            ctx.note(f"{s.name} ({where}): {key} = {value}")
    if findings:
        return findings
    if undecided:
        raise Undecided("values known only at plan time: " + "; ".join(undecided))
    if not judged:
        raise Undecided("no RDS instance or Cloud SQL instance is declared in Terraform")
    return []
