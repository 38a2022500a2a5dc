"""Performance checks."""

from __future__ import annotations

import re

from ..outcomes import Finding, Undecided
from ..registry import check

_PG = re.compile(r"log_min_duration_statement['\"]?\s*[=:]\s*['\"]?(-?\d+)\s*(ms|s|min)?", re.IGNORECASE)
_MY_ON = re.compile(r"slow[-_]query[-_]log['\"]?\s*[=:]\s*['\"]?(1|on|true|0|off|false)\b", re.IGNORECASE)
_MY_TIME = re.compile(r"long[-_]query[-_]time['\"]?\s*[=:]\s*['\"]?([\d.]+)", re.IGNORECASE)
@check("PF-02", "static")
def slow_query_logging(repo, ctx):
    limit = float(ctx.threshold("max_slow_query_ms"))
    findings, judged = [], 0
    from ..sources.server_settings import server_settings

    for where, text in server_settings(repo):
        for m in _PG.finditer(text):
            judged += 1
            ms = float(m.group(1)) * {"s": 1000, "min": 60000}.get((m.group(2) or "ms").lower(), 1)
            if ms < 0:
                findings.append(Finding("log_min_duration_statement = -1: slow statements are not logged",
                                        location=where, observed=-1, expected=f"0 < value <= {limit:g} ms"))
            elif ms > limit:
                findings.append(Finding(f"log_min_duration_statement = {ms:g} ms", location=where, observed=ms,
                                        expected=f"<= {limit:g} ms"))
            else:
                ctx.note(f"{where}: log_min_duration_statement = {ms:g} ms" + (" (every statement)" if ms == 0 else ""))
        for m in _MY_ON.finditer(text):
            judged += 1
            if m.group(1).lower() in ("0", "off", "false"):
                findings.append(Finding("slow_query_log is off", location=where, observed="OFF", expected="ON"))
                continue
            t = _MY_TIME.search(text)
            seconds = float(t.group(1)) if t else 10.0  # MySQL's default long_query_time is 10 s
            if seconds * 1000 > limit:
                findings.append(Finding(f"long_query_time = {seconds:g} s", location=where, observed=seconds,
                                        expected=f"<= {limit / 1000:g} s"))
            else:
                ctx.note(f"{where}: slow_query_log on, long_query_time = {seconds:g} s")
    if findings:
        return findings
    if not judged:
        raise Undecided("no slow-query logging setting in compose commands, server config files or Terraform "
                        "parameter groups; the server default is off")
    return []


_MAX_CONN = re.compile(r"max_connections['\"]?\s*[=:]\s*['\"]?(\d+)", re.IGNORECASE)
_POOL_SIZE = re.compile(r"\bpool_size\s*=\s*(\d+)")
_OVERFLOW = re.compile(r"\bmax_overflow\s*=\s*(\d+)")
_CONN_LIMIT = re.compile(r"connection_limit=(\d+)")
_POOLER_POOL = re.compile(r"(?:PGBOUNCER_DEFAULT_POOL_SIZE|DEFAULT_POOL_SIZE|default_pool_size)['\"]?\s*[=:]\s*['\"]?(\d+)",
                          re.IGNORECASE)
DEFAULT_MAX = {"postgresql": 100, "mysql": 151, "mariadb": 151}
RESERVED = {"postgresql": 3, "mysql": 1, "mariadb": 1}  # superuser_reserved_connections / the extra admin slot


def replicas_of(repo, users: list[str]) -> tuple[int, str]:
    """The largest replica count among the services that use a store (compose deploy.replicas, Kubernetes),
    and how it is known. A workload scaled by a HorizontalPodAutoscaler counts with its maxReplicas: the
    autoscaler, not spec.replicas, decides how many run, and the budget must hold at the peak."""
    from ..sources.compose import compose_of
    from ..sources.kubernetes import kubernetes_of

    k8s = kubernetes_of(repo)
    scaled = {(a.target_kind, a.target_name): a.max_replicas for a in k8s.autoscalers if a.max_replicas}
    counts = [(1, "")] + [(svc.replicas, "") for svc in compose_of(repo).services if svc.name in users and svc.replicas]
    for w in k8s.workloads:
        if f"{w.kind}/{w.name}" not in users:
            continue
        if (w.kind, w.name) in scaled:
            counts.append((scaled[(w.kind, w.name)], " (HPA maxReplicas)"))
        elif w.replicas:
            counts.append((w.replicas, ""))
    return max(counts, key=lambda c: c[0])


def _django_pool(repo, ctx) -> tuple[str, int, str] | None:
    """Django with persistent connections holds one connection per worker thread: (where, size, how)."""
    from ..sources.appserver import gunicorn_of, persistent_connections

    persistent, unresolved = persistent_connections(repo)
    for u in unresolved:
        ctx.note(f"{u} (known only at run time)")
    if not persistent:
        return None
    (where, age), g = persistent[0], gunicorn_of(repo)
    for u in g.unresolved:
        ctx.note(f"gunicorn {u}")
    if g.per_replica is None:
        why = "not literal" if g.unresolved else "no gunicorn command or configuration found"
        ctx.note(f"{where}: Django CONN_MAX_AGE={age} keeps one connection open per worker thread, but the worker "
                 f"count is unknown ({why})")
        return None
    ctx.note(f"gunicorn started or configured at {', '.join(dict.fromkeys(g.started))}")
    return where, g.per_replica, f" (Django CONN_MAX_AGE={age}: {g.describe()})"


def app_pools(repo, ctx) -> list[tuple[str, int, str]]:
    """(where, connections per process, how) of every client pool the application code sets: SQLAlchemy
    pool_size + max_overflow, Prisma connection_limit, Django persistent connections x gunicorn workers."""
    pools = []
    for rel in repo.files:
        if rel.endswith((".py", ".ts", ".js", ".env")) or rel.rsplit("/", 1)[-1].startswith(".env"):
            text = repo.text(rel) or ""
            for m in _POOL_SIZE.finditer(text):
                window = text[m.start(): m.start() + 300]
                over = _OVERFLOW.search(window)
                pools.append((rel, int(m.group(1)) + (int(over.group(1)) if over else 0), ""))
            for m in _CONN_LIMIT.finditer(text):
                pools.append((rel, int(m.group(1)), ""))
    django = _django_pool(repo, ctx)
    if django:
        pools.append(django)
    return pools


def direct_demand(repo, pools, users: list[str]) -> tuple[int, list[str]]:
    """Connections the application processes open by themselves: the pools per process x replicas."""
    n, how = replicas_of(repo, users)
    return sum(size for _, size, _ in pools) * n, \
        [f"{where}: {size}{what}" for where, size, what in pools] + [f"x {n} replica(s){how}"]


@check("PF-09", "static")
def pool_budget(repo, ctx):
    """Client pools (or the pooler's server pool) x replicas must fit under the server's max_connections."""
    from ..sources.compose import compose_of
    from ..sources.inventory import POOLER_IMAGES, inventory_of

    stores = [s for s in inventory_of(repo).stores if s.source in ("compose", "kubernetes") and s.engine in DEFAULT_MAX]
    if not stores:
        raise Undecided("no self-hosted PostgreSQL/MySQL/MariaDB server is declared (compose, Kubernetes); managed "
                        "servers' limits depend on the instance class")
    pools = app_pools(repo, ctx)
    services = {s.name: s for s in compose_of(repo).services}
    findings, judged = [], 0
    for store in stores:
        limit_src = "default"
        limit = DEFAULT_MAX[store.engine]
        svc = services.get(store.name)
        m = _MAX_CONN.search(svc.command) if svc else None
        if m:
            limit, limit_src = int(m.group(1)), store.declared[0]
        usable = limit - RESERVED[store.engine]
        poolers = [services[u] for u in store.used_by if u in services and services[u].image
                   and any(p in services[u].image.lower() for p in POOLER_IMAGES)]
        if poolers:
            demand, parts = 0, []
            for p in poolers:
                m = _POOLER_POOL.search(" ".join(f"{k}={v}" for k, v in p.environment.items()))
                size = int(m.group(1)) if m else 20  # PgBouncer's default_pool_size
                n, how = replicas_of(repo, [p.name])
                demand += size * n
                parts.append(f"{p.name}: {n}{how} x pool {size}" + ("" if m else " (default)"))
        elif pools:
            demand, parts = direct_demand(repo, pools, store.used_by)
        else:
            continue
        judged += 1
        detail = f"{store.name}: {demand} connections wanted ({'; '.join(parts)}) against max_connections {limit} " \
                 f"({limit_src}) - {RESERVED[store.engine]} reserved"
        if demand > usable:
            findings.append(Finding(detail, location=store.declared[0], observed=demand, expected=f"<= {usable}"))
        else:
            ctx.note(detail)
    if findings:
        return findings
    if not judged:
        raise Undecided("no pool size is set in the application code (pool_size, connection_limit) or the pooler")
    return []
