"""Architecture & topology checks."""

from __future__ import annotations

from ..outcomes import Finding, Undecided
from ..registry import check
from ._iac import relational


@check("AT-07", "static")
def pooler_present(repo, ctx):
    """A pooler (PgBouncer, pgcat, Odyssey, ProxySQL, Pgpool-II, RDS Proxy) in front of the database, required
    once the application's own pools x replicas exceed ``max_direct_connections``."""
    from .performance import app_pools, direct_demand

    inv, stores = relational(repo)
    if inv.poolers:
        for p in inv.poolers:
            ctx.note(f"connection pooler: {p}")
        return []
    limit = int(ctx.threshold("max_direct_connections"))
    pools = app_pools(repo, ctx)
    findings = []
    for s in stores if pools else []:
        demand, parts = direct_demand(repo, pools, s.used_by)
        detail = f"{s.name}: {demand} direct connections ({'; '.join(parts)})"
        if demand > limit:
            findings.append(Finding(f"{detail} and no pooler in front of it", location=s.declared[0],
                                    observed=demand, expected=f"a pooler, or at most {limit} direct connections"))
        else:
            ctx.note(f"{detail}: client-side pools suffice at this size")
    if findings or (pools and stores):
        return findings
    what = ", ".join(s.name for s in stores) or "no relational store"
    raise Undecided(f"no connection pooler is declared and no client pool size is set, so the number of direct "
                    f"connections is unknown for: {what}")


@check("AT-03", "static")
def read_replicas(repo, ctx):
    """RDS read replicas (replicate_source_db), Cloud SQL replicas (master_instance_name), operator clusters
    with more than one instance, Aurora reader instances."""
    from ..sources.inventory import inventory_of
    from ..sources.terraform import terraform_of

    tf = terraform_of(repo)
    found = [f"{b.address} ({b.location}) replicates {tf.value(b, 'replicate_source_db')}"
             for b in tf.resources("aws_db_instance") if "replicate_source_db" in b.attrs]
    found += [f"{b.address} ({b.location}) is a replica of {tf.value(b, 'master_instance_name')}"
              for b in tf.resources("google_sql_database_instance") if "master_instance_name" in b.attrs]
    readers = tf.resources("aws_rds_cluster_instance")
    if len(readers) >= 2 or any(isinstance(b.attrs.get("count"), int) and b.attrs["count"] >= 2 for b in readers):
        found.append(f"Aurora cluster instances at {readers[0].location}: one writer, the others readers")
    for s in inventory_of(repo).stores:
        n = s.settings.get("instances")
        if s.settings.get("operator") and isinstance(n, int) and n >= 2:
            found.append(f"{s.name} ({s.declared[0]}): {n} instances, replicas serve reads")
    if found:
        for f in found:
            ctx.note(f)
        return []
    raise Undecided("no read replica is declared (RDS replicate_source_db, Cloud SQL replicas, Aurora readers, "
                    "operator clusters); replicas created outside the repository cannot be seen statically")
