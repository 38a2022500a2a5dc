"""Performance checks."""

from __future__ import annotations

import re

from ..outcomes import Finding, Undecided
from ..registry import check

_PG = re.compile(r"log_min_duration_statement['\"]?\s*[=:]\s*['\"]?(-?\d+)\s*(ms|s|min)?", re.IGNORECASE)
_MY_ON = re.compile(r"slow[-_]query[-_]log['\"]?\s*[=:]\s*['\"]?(1|on|true|0|off|false)\b", re.IGNORECASE)
_MY_TIME = re.compile(r"long[-_]query[-_]time['\"]?\s*[=:]\s*['\"]?([\d.]+)", re.IGNORECASE)
_FILES = ("postgresql.conf", "my.cnf", "mysqld.cnf", "server.cnf")


def _settings(repo):
    """(location, text) of every place a server setting can be written: compose commands, server
    config files, Terraform parameter groups and Cloud SQL flags (as name/value pairs)."""
    from ..sources.compose import compose_of
    from ..sources.terraform import terraform_of

    for svc in compose_of(repo).services:
        if svc.command:
            yield svc.location, svc.command
    for rel in repo.files:
        if rel.rsplit("/", 1)[-1] in _FILES or rel.endswith(".cnf"):
            yield rel, repo.text(rel) or ""
    tf = terraform_of(repo)
    for b in tf.blocks:
        for key in ("parameter", "database_flags"):
            for p in b.attrs.get(key) or []:
                if isinstance(p, dict) and "name" in p:
                    yield b.location, f"{p['name']}={tf.resolve(p.get('value'), b.directory)}"
        for s in b.attrs.get("settings") or []:
            for p in (s.get("database_flags") or []) if isinstance(s, dict) else []:
                if isinstance(p, dict) and "name" in p:
                    yield b.location, f"{p['name']}={tf.resolve(p.get('value'), b.directory)}"


@check("PF-02", "static")
def slow_query_logging(repo, ctx):
    limit = float(ctx.threshold("max_slow_query_ms"))
    findings, judged = [], 0
    for where, text in _settings(repo):
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


def _replicas(repo, users: list[str]) -> int:
    """The largest replica count among the services that use a store (compose deploy.replicas, Kubernetes)."""
    from ..sources.compose import compose_of
    from ..sources.kubernetes import kubernetes_of

    counts = [1] + [svc.replicas for svc in compose_of(repo).services if svc.name in users and svc.replicas]
    for w in kubernetes_of(repo).workloads:
        if f"{w.kind}/{w.name}" in users and w.replicas:
            counts.append(w.replicas)
    return max(counts)


@check("PF-09", "static")
def pool_budget(repo, ctx):
    """Client pools (or the pooler's server pool) x replicas must fit under the server's max_connections."""
    from ..sources.compose import compose_of
    from ..sources.inventory import POOLER_IMAGES, inventory_of

    stores = [s for s in inventory_of(repo).stores if s.source in ("compose", "kubernetes") and s.engine in DEFAULT_MAX]
    if not stores:
        raise Undecided("no self-hosted PostgreSQL/MySQL/MariaDB server is declared (compose, Kubernetes); managed "
                        "servers' limits depend on the instance class")
    app_pools = []  # (where, size) from application code
    for rel in repo.files:
        if rel.endswith((".py", ".ts", ".js", ".env")) or rel.rsplit("/", 1)[-1].startswith(".env"):
            text = repo.text(rel) or ""
            for m in _POOL_SIZE.finditer(text):
                window = text[m.start(): m.start() + 300]
                over = _OVERFLOW.search(window)
                app_pools.append((rel, int(m.group(1)) + (int(over.group(1)) if over else 0)))
            for m in _CONN_LIMIT.finditer(text):
                app_pools.append((rel, int(m.group(1))))
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
                n = _replicas(repo, [p.name])
                demand += size * n
                parts.append(f"{p.name}: {n} x pool {size}" + ("" if m else " (default)"))
        elif app_pools:
            n = _replicas(repo, store.used_by)
            per_process = sum(size for _, size in app_pools)
            demand = per_process * n
            parts = [f"{where}: {size}" for where, size in app_pools] + [f"x {n} replica(s)"]
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
