"""Monitoring & observability checks."""

from __future__ import annotations

from ..outcomes import Undecided
from ..registry import check
from ._iac import relational


@check("MO-01", "static")
def monitoring_present(repo, ctx):
    inv, stores = relational(repo)
    covered = [f"exporter {e}" for e in inv.exporters]
    covered += [f"{s.name}: Performance Insights / enhanced monitoring" for s in stores
                if s.settings.get("performance_insights") is True or (s.settings.get("monitoring_interval") or 0) > 0]
    if covered:
        for c in covered:
            ctx.note(c)
        return []
    raise Undecided("no metrics exporter (postgres_exporter, mysqld_exporter) and no RDS Performance Insights or "
                    "enhanced monitoring is declared in docker-compose or Terraform")
