"""Capacity planning & scaling checks."""

from __future__ import annotations

from ..outcomes import Finding, verdict
from ..registry import check
from ._iac import cloud_stores


@check("CA-07", "static")
def storage_autoscaling(repo, ctx):
    """RDS max_allocated_storage above allocated_storage; Cloud SQL disk_autoresize not switched off."""
    findings, undecided, judged = [], [], 0
    for s in cloud_stores(repo, ctx, "aws", "gcp"):
        where = s.declared[0]
        if s.name.startswith("aws_rds_cluster."):
            ctx.note(f"{s.name}: Aurora storage grows automatically")
            judged += 1
            continue
        if s.settings["cloud"] == "gcp":
            if "disk_autoresize" in s.unknown:
                undecided.append(f"{s.name}.disk_autoresize = {s.unknown['disk_autoresize']}")
                continue
            judged += 1
            if s.settings.get("disk_autoresize") is False:
                findings.append(Finding(f"{s.name}: disk_autoresize = false", location=where, observed=False,
                                        expected=True))
            continue
        if "storage_autoscaling_max" in s.unknown:
            undecided.append(f"{s.name}.max_allocated_storage = {s.unknown['storage_autoscaling_max']}")
            continue
        judged += 1
        top, base = s.settings.get("storage_autoscaling_max"), s.settings.get("allocated_storage")
        if not top:
            findings.append(Finding(f"{s.name}: storage autoscaling is off (max_allocated_storage not set)",
                                    location=where, observed="not set", expected="> allocated_storage"))
        elif base is not None and not isinstance(base, str) and int(top) <= int(base):
            findings.append(Finding(f"{s.name}: max_allocated_storage {top} <= allocated_storage {base}",
                                    location=where, observed=top, expected=f"> {base}"))
        else:
            ctx.note(f"{s.name} ({where}): storage may grow to {top} GiB")
    return verdict(findings, undecided, judged, "no RDS, Aurora or Cloud SQL instance is declared in Terraform")
