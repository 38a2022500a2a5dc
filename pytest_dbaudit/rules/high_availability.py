"""High availability & disaster recovery checks."""

from __future__ import annotations

import re

from ..outcomes import Finding, Undecided, verdict
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
    return verdict(findings, undecided, judged, "no RDS instance or Cloud SQL instance is declared in Terraform")


@check("HA-02", "static")
def automatic_failover(repo, ctx):
    """Patroni, repmgr (failover=automatic), operator clusters with 2+ instances, RDS Multi-AZ, Cloud SQL REGIONAL."""
    from ..sources.inventory import inventory_of

    ok, findings = [], []
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if re.match(r"patroni[\w.-]*\.ya?ml$", name):
            ok.append(f"{rel}: Patroni")
        elif name == "repmgr.conf":
            text = repo.text(rel) or ""
            if re.search(r"^\s*failover\s*=\s*'?automatic", text, re.M):
                ok.append(f"{rel}: repmgr failover=automatic")
            else:
                findings.append(Finding("repmgr is configured without failover=automatic", location=rel,
                                        observed="manual", expected="automatic"))
    for s in inventory_of(repo).stores:
        if s.kind != "relational":
            continue
        where = s.declared[0]
        if s.settings.get("operator"):
            n = s.settings.get("instances")
            if isinstance(n, int) and n >= 2:
                ok.append(f"{where}: {s.settings['operator']} with {n} instances")
            elif isinstance(n, int):
                findings.append(Finding(f"{s.name}: a single instance: no standby to fail over to", location=where,
                                        observed=n, expected=">= 2 instances"))
        elif s.source == "terraform":
            if s.settings.get("multi_az") is True or s.settings.get("availability_type") == "REGIONAL":
                ok.append(f"{where}: {s.name} fails over automatically (Multi-AZ / REGIONAL)")
            elif s.settings.get("multi_az") is False or s.settings.get("availability_type") == "ZONAL":
                findings.append(Finding(f"{s.name}: single-zone instance, no automatic failover", location=where,
                                        observed="single zone", expected="Multi-AZ / REGIONAL"))
    for line in ok:
        ctx.note(line)
    if findings:
        return findings
    if ok:
        return []
    raise Undecided("no failover mechanism (Patroni, repmgr, an operator cluster, Multi-AZ / REGIONAL) is declared "
                    "in the files read")


def _arn_region(value: str) -> str | None:
    parts = value.split(":")
    return parts[3] if value.startswith("arn:") and len(parts) > 4 else None


@check("HA-10", "static")
def cross_region_replication(repo, ctx):
    """A replica in another region for each managed primary: RDS cross-region read replicas, Aurora Global
    Database members in two regions, Cloud SQL and Azure replicas in another region."""
    from ..sources.inventory import module_of
    from ._iac import region, region_unknown

    stores = cloud_stores(repo, ctx, "aws", "gcp", "azure")
    findings, undecided, judged = [], [], 0
    replicas = [s for s in stores if s.settings.get("replica_of")]
    for r in replicas:  # replicas of primaries declared elsewhere, named by ARN
        source_region = _arn_region(str(r.settings["replica_of"]))
        if source_region and region(r) and region(r) != source_region:
            ctx.note(f"{r.name} ({r.declared[0]}) in {region(r)} replicates a primary in {source_region}")
    for p in (s for s in stores if not s.settings.get("replica_of")):
        home = region(p)
        if home is None:
            undecided.append(region_unknown(p))
            continue
        remote, open_ = [], []
        for r in replicas:
            if r.settings["replica_of"] != p.name or module_of(r) != module_of(p):
                continue
            if region(r) is None:
                open_.append(region_unknown(r))
            elif region(r) != home:
                remote.append(f"replica {r.name} in {region(r)}")
        group = p.settings.get("global_cluster")
        if group:
            members = [s for s in stores if s.settings.get("global_cluster") == group and module_of(s) == module_of(p)]
            regions = {region(m) for m in members}
            if None in regions:
                open_ += [region_unknown(m) for m in members if region(m) is None]
            elif len(regions) > 1:
                remote.append(f"Aurora Global Database {group} spans {', '.join(sorted(regions))}")
        if remote:
            judged += 1
            ctx.note(f"{p.name} ({p.declared[0]}) in {home}: " + "; ".join(remote))
        elif open_:
            undecided += open_
        else:
            judged += 1
            findings.append(Finding(f"{p.name}: no replica outside {home}; a regional outage leaves only backups",
                                    location=p.declared[0], observed=f"all copies in {home}",
                                    expected="a cross-region replica or a global database"))
    return verdict(findings, undecided, judged, "no managed database (RDS, Aurora, Cloud SQL, Azure) is declared in "
                   "Terraform; replication of self-hosted servers to another region is not readable statically", ctx)
