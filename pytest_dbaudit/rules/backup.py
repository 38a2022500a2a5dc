"""Backup & recovery checks."""

from __future__ import annotations

from ..outcomes import Finding, Undecided
from ..registry import check
from ._iac import cloud_stores


@check("BR-03", "static")
def retention_and_final_snapshot(repo, ctx):
    """RDS/Aurora: retention >= policy, a final snapshot, deletion protection."""
    minimum = ctx.threshold("min_retention_days")
    findings, undecided = [], []
    stores = cloud_stores(repo, ctx, "aws")
    for s in stores:
        where = s.declared[0]
        for key in ("backup_retention_days", "skip_final_snapshot", "deletion_protection"):
            if key in s.unknown:
                undecided.append(f"{s.name}.{key} = {s.unknown[key]}")
        days = s.settings.get("backup_retention_days")
        if "backup_retention_days" not in s.unknown:
            if days is None:
                findings.append(Finding(f"{s.name}: backup_retention_period is not set (provider default: 0-1 day)",
                                        location=where, observed="not set", expected=f">= {minimum} days"))
            elif int(days) < minimum:
                findings.append(Finding(f"{s.name}: backups are kept {days} day(s)", location=where,
                                        observed=days, expected=f">= {minimum} days"))
        if s.settings.get("skip_final_snapshot") is True:
            findings.append(Finding(f"{s.name}: skip_final_snapshot = true: deleting the instance deletes its data",
                                    location=where, observed=True, expected=False))
        if "deletion_protection" not in s.unknown and s.settings.get("deletion_protection") is not True:
            findings.append(Finding(f"{s.name}: deletion_protection is not enabled", location=where,
                                    observed=s.settings.get("deletion_protection"), expected=True))
        ctx.note(f"{s.name} ({where}): retention {days}, skip_final_snapshot {s.settings.get('skip_final_snapshot')}, "
                 f"deletion_protection {s.settings.get('deletion_protection')}")
    if findings:
        for u in undecided:
            ctx.note(f"unresolved: {u}")
        return findings
    if undecided:
        raise Undecided("values known only at plan time: " + "; ".join(undecided))
    if not stores:
        raise Undecided("no RDS/Aurora instance is declared in Terraform; retention of other stores is not "
                        "readable from the repository")
    return []
