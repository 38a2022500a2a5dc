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
