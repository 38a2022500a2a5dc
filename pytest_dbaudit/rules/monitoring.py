"""Monitoring & observability checks."""

from __future__ import annotations

import re

from ..outcomes import Finding, Undecided
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


_SIGNALS = {
    "instance down": re.compile(r"\b(pg_up|mysql_up|redis_up|mongodb_up)\b|up\{[^}]*(postgres|mysql|redis|mongo)", re.I),
    "connections near the limit": re.compile(r"connections|pg_stat_activity|threads_connected", re.I),
    "replication lag": re.compile(r"replication|_lag|slave_lag|replica", re.I),
    "disk filling": re.compile(r"filesystem|disk|volume|storage", re.I),
}


@check("MO-10", "static")
def alert_rules(repo, ctx):
    """Prometheus alert rules (files or PrometheusRule resources) for the critical database signals."""
    from ..sources.structured import ParseError, parsed

    alerts: list[tuple[str, str]] = []  # (location, alert name + expression)
    for rel in repo.files:
        if not rel.endswith((".yml", ".yaml")):
            continue
        text = repo.text(rel) or ""
        if "alert:" not in text or "expr:" not in text:
            continue
        docs = parsed(repo, rel, "yaml")
        if isinstance(docs, ParseError):
            ctx.note(str(docs))
            continue
        for doc in docs:
            body = doc.get("spec", doc) if isinstance(doc, dict) else {}
            for group in body.get("groups") or [] if isinstance(body, dict) else []:
                for rule in (group.get("rules") or []) if isinstance(group, dict) else []:
                    if isinstance(rule, dict) and rule.get("alert"):
                        alerts.append((f"{rel}:{getattr(rule, 'line', 0)}", f"{rule['alert']} {rule.get('expr', '')}"))
    db_alerts = [(w, a) for w, a in alerts if re.search(r"pg_|mysql|postgres|redis|mongo|walg|pgbouncer", a, re.I)]
    if not db_alerts:
        raise Undecided("no Prometheus alert rule for a database is committed (alerts may live in another "
                        "system: attest them)")
    ctx.note(f"{len(db_alerts)} database alert rule(s): " + ", ".join(a.split()[0] for _, a in db_alerts[:10]))
    missing = [sig for sig, rx in _SIGNALS.items() if not any(rx.search(a) for _, a in db_alerts)]
    return [Finding(f"no alert rule covers: {sig}", location=db_alerts[0][0], expected=f"an alert on {sig}")
            for sig in missing]
