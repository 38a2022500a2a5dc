"""Monitoring & observability checks."""

from __future__ import annotations

import re

from ..outcomes import Finding, Undecided
from ..registry import check
from ._iac import relational


_AGENTS = re.compile(r"kind:\s*(ServiceMonitor|PodMonitor)\b|prometheus\.io/scrape|scrape_configs|datadoghq|"
                     r"ad\.datadoghq\.com|newrelic|dynatrace|grafana-agent|otel-collector|opentelemetry-collector",
                     re.IGNORECASE)


@check("MO-01", "static")
def monitoring_present(repo, ctx):
    """A metrics exporter, RDS Performance Insights or enhanced monitoring; databases run in Kubernetes with no
    exporter and no monitoring agent or scrape configuration anywhere in the repository fail."""
    inv, stores = relational(repo)
    covered = [f"exporter {e}" for e in inv.exporters]
    covered += [f"{s.name}: Performance Insights / enhanced monitoring" for s in stores
                if s.settings.get("performance_insights") is True or (s.settings.get("monitoring_interval") or 0) > 0]
    if covered:
        for c in covered:
            ctx.note(c)
        return []
    in_cluster = [s for s in stores if s.source in ("kubernetes", "helm")]
    agents = [rel for rel in repo.files if rel.endswith((".yaml", ".yml", ".json", ".toml"))
              and _AGENTS.search(repo.text(rel) or "")]
    if in_cluster and not agents:
        # Kubernetes deployments declare their monitoring as manifests; none here means none deployed with them.
        return [Finding(f"{s.name}: no exporter, ServiceMonitor/PodMonitor or monitoring agent is declared for it",
                        location=s.declared[0], observed="unmonitored",
                        expected="postgres_exporter/mysqld_exporter (chart metrics.enabled) scraped by Prometheus, "
                                 "or an agent integration") for s in in_cluster]
    for rel in agents[:5]:
        ctx.note(f"monitoring configuration: {rel}")
    raise Undecided("no metrics exporter (postgres_exporter, mysqld_exporter) and no RDS Performance Insights or "
                    "enhanced monitoring is declared in docker-compose, Kubernetes, Helm or Terraform")


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


_PG_SLOW_FLAG = "log_min_duration_statement"


@check("MO-03", "static")
def engine_logs_exported(repo, ctx):
    """Managed databases ship their logs, slow-query log included, out of the instance: RDS/Aurora
    enabled_cloudwatch_logs_exports, Cloud SQL flags (its logs go to Cloud Logging), Azure diagnostic settings."""
    from ..outcomes import verdict
    from ._iac import cloud_stores

    findings, undecided, judged = [], [], 0
    for s in cloud_stores(repo, ctx, "aws", "gcp", "azure"):
        where, cloud, pg = s.declared[0], s.settings["cloud"], s.engine == "postgresql"
        if cloud == "aws":
            if "log_exports" in s.unknown:
                undecided.append(f"{s.name}.enabled_cloudwatch_logs_exports = {s.unknown['log_exports']}")
                continue
            judged += 1
            exported = [str(x) for x in s.settings.get("log_exports") or []]
            wanted = "postgresql" if pg else "slowquery"
            if wanted in exported:
                ctx.note(f"{s.name} ({where}): exports {', '.join(exported)} to CloudWatch Logs")
            else:
                findings.append(Finding(f"{s.name}: the {wanted} log is not exported to CloudWatch Logs",
                                        location=where, observed=exported or "nothing exported",
                                        expected=f'enabled_cloudwatch_logs_exports includes "{wanted}"'))
        elif cloud == "gcp":
            flags = s.settings.get("flags") or {}
            judged += 1
            if pg:
                value = flags.get(_PG_SLOW_FLAG)
                ok = value is not None and str(value).lstrip("-").isdigit() and int(value) >= 0
                wanted = f"{_PG_SLOW_FLAG} >= 0"
            else:
                value = flags.get("slow_query_log")
                ok = str(value).lower() == "on" and str(flags.get("log_output", "")).upper() == "FILE"
                wanted = "slow_query_log = on and log_output = FILE"
            if ok:
                ctx.note(f"{s.name} ({where}): slow statements reach Cloud Logging ({wanted})")
            else:
                findings.append(Finding(f"{s.name}: Cloud Logging receives no slow-query log", location=where,
                                        observed=flags or "no database_flags", expected=wanted))
        else:
            judged += 1
            exported = s.settings.get("log_exports")
            if exported:
                ctx.note(f"{s.name} ({where}): diagnostic setting exports {', '.join(exported)}")
            else:
                findings.append(Finding(f"{s.name}: no azurerm_monitor_diagnostic_setting exports its logs",
                                        location=where, observed="no diagnostic setting",
                                        expected="a diagnostic setting with the server's log categories"))
    return verdict(findings, undecided, judged, "no managed database is declared in Terraform; shipping of "
                   "self-hosted logs (Fluent Bit, Vector, pgBadger) is not judged statically: attest it", ctx)
