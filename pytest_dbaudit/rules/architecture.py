"""Architecture & topology checks."""

from __future__ import annotations

from ..outcomes import Undecided
from ..registry import check
from ._iac import relational


@check("AT-07", "static")
def pooler_present(repo, ctx):
    inv, stores = relational(repo)
    if inv.poolers:
        for p in inv.poolers:
            ctx.note(f"connection pooler: {p}")
        return []
    # Absence in the files read is not proof of absence (Kubernetes and Helm are not read yet).
    what = ", ".join(s.name for s in stores) or "no relational store"
    raise Undecided(f"no connection pooler (PgBouncer, pgcat, Odyssey, ProxySQL, Pgpool-II, RDS Proxy) is declared "
                    f"in docker-compose or Terraform for: {what}")
