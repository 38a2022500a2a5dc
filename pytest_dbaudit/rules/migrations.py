"""Migrations & version-control checks."""

from __future__ import annotations

import configparser
import json
import os
import subprocess
import sys
from pathlib import Path

from ..outcomes import Finding, NotApplicable
from ..redact import redact
from ..registry import check
from ..sources.stack import stack_of


@check("MG-01", "static")
def migration_tool(repo, ctx):
    stack = stack_of(repo)
    for kind, found in (("ORM", stack.orms), ("migration tool", stack.migration_tools), ("driver", stack.drivers)):
        for name, ev in found.items():
            ctx.note(f"{kind}: {name} ({', '.join(ev[:3])})")
    if stack.migration_tools:
        return []
    users = ", ".join(list(stack.orms) + list(stack.drivers) + list(stack.engines)) or "database files"
    extra = ""
    if stack.schema_autocreate:
        extra = f"; the schema is created by the application at {', '.join(stack.schema_autocreate[:3])}"
    return [Finding(
        f"the repository uses a database ({users}) but no migration tool was found{extra}",
        location=stack.schema_autocreate[0] if stack.schema_autocreate else "",
        observed="no migration tool", expected="Alembic, Django migrations, Prisma Migrate, Flyway, Liquibase, "
        "Rails, Knex, golang-migrate or versioned SQL files",
    )]


def alembic_configs(repo) -> list[tuple[str, Path]]:
    out = []
    for rel in repo.by_name("alembic.ini"):
        out.append((rel, repo.path(rel)))
    return out


@check("MG-04", "drill")
def alembic_round_trip(drill, ctx):
    """Upgrade to head one revision at a time, downgrade one at a time to base, upgrade again."""
    configs = alembic_configs(drill.repo)
    if not configs:
        raise NotApplicable("no Alembic configuration (alembic.ini) in the repository; drills for other tools "
                            "are not available yet")
    findings = []
    settings = drill.audit.cfg.alembic
    for rel, ini in configs:
        problem = _ini_problem(ini)
        if problem:
            findings.append(Finding(f"{rel}: {problem}", location=rel))
            continue
        db = drill.fresh_database()  # TargetUnavailable -> unknown, with the reason
        ctx.note(f"{rel}: throwaway database from {db.source}")
        result = _run_child(ini, db.url, settings)
        for step in result.get("steps", []):
            ctx.note(f"{rel}: {step}")
        for f in result.get("failures", []):
            rev = f.get("revision")
            where = f.get("file") or rel
            try:
                where = str(Path(where).resolve().relative_to(drill.repo.root))
            except ValueError:
                pass
            what = f"{f['phase']} of revision {rev}" if rev not in (None, "heads", "base") else f"{f['phase']} ({rev or rel})"
            detail = f["error"] or "; ".join(f.get("diff", [])[:10])
            findings.append(Finding(f"{what} failed on {drill.engine}: {detail}", location=where,
                                    observed=f.get("diff") or None))
    return findings


def _ini_problem(ini: Path) -> str | None:
    parser = configparser.ConfigParser()
    try:
        parser.read(ini, encoding="utf-8")
    except configparser.Error as exc:
        return f"not a valid ini file: {str(exc).splitlines()[0]}"
    if not parser.has_option("alembic", "script_location"):
        return "no [alembic] script_location"
    return None


def _run_child(ini: Path, url: str, settings: dict) -> dict:
    env = dict(os.environ)
    env.update(settings.get("env") or {})
    for name in settings.get("url_env") or []:
        env[name] = url
    env["DBAUDIT_DRILL_URL"] = url
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ini.parent), env.get("PYTHONPATH")]))
    req = json.dumps({"ini": str(ini), "url": url})
    timeout = settings.get("timeout_s", 300)
    try:
        proc = subprocess.run([sys.executable, "-m", "pytest_dbaudit.drills.alembic_runner"], input=req,
                              capture_output=True, text=True, cwd=ini.parent, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"failures": [{"phase": "drill", "revision": None, "error": f"timed out after {timeout} s"}]}
    marker = proc.stdout.rfind("@@DBAUDIT@@")
    if marker < 0:
        tail = redact((proc.stderr or proc.stdout).strip()[-500:])
        return {"failures": [{"phase": "drill", "revision": None,
                              "error": f"the Alembic environment exited with code {proc.returncode}: {tail}"}]}
    return json.loads(proc.stdout[marker + len("@@DBAUDIT@@"):].splitlines()[0])
