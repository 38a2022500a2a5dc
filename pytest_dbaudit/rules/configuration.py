"""Configuration review & drift checks."""

from __future__ import annotations

from collections import defaultdict

from ..eol import series_of
from ..outcomes import Finding, Undecided
from ..registry import check
from ..sources.environments import environment_of, without_environment
from ..sources.inventory import Store, inventory_of

# Settings that change what the application sees: they must match between environments, or the
# code tested in staging is not the code that runs in production.
BEHAVIOUR_FLAGS = {"sql_mode", "time_zone", "timezone", "character_set_server", "collation_server",
                   "default_transaction_isolation", "transaction_isolation", "lower_case_table_names",
                   "standard_conforming_strings", "explicit_defaults_for_timestamp", "rds.force_ssl",
                   "require_secure_transport", "datestyle", "search_path", "default_text_search_config"}
BEHAVIOUR_SETTINGS = ("ssl_mode", "transit_encryption", "tls", "iam_auth")
# Settings that may differ by design (size, redundancy, retention): shown, not judged.
SIZING_SETTINGS = ("instance_class", "multi_az", "availability_type", "backup_retention_days", "allocated_storage",
                   "replicas", "read_replicas", "nodes", "storage_autoscaling_max")


def _environment(store: Store) -> str | None:
    env = store.settings.get("environment")
    return str(env) if env else environment_of(store.declared[0].rsplit(":", 1)[0]) if store.declared else None


def _behaviour(store: Store) -> dict[str, object]:
    out: dict[str, object] = {"engine": store.engine}  # versions: compared across all stores below
    for key, value in (store.settings.get("flags") or {}).items():
        if key.lower() in BEHAVIOUR_FLAGS:
            out[key.lower()] = value
    for key in BEHAVIOUR_SETTINGS:
        if key in store.settings:
            out[key] = store.settings[key]
    return out


def _settings_parity(stores: list[Store], ctx) -> tuple[list[Finding], int]:
    """The same store declared once per environment (envs/prod vs envs/staging, values-prod vs values-staging):
    behaviour settings must match; sizing may differ and is listed."""
    groups: dict[tuple[str, str], dict[str, Store]] = defaultdict(dict)
    for s in stores:
        env = _environment(s)
        if env:
            groups[(s.source, without_environment(s.name))].setdefault(env, s)
    findings, compared = [], 0
    for (source, name), by_env in sorted(groups.items()):
        if len(by_env) < 2:
            continue
        compared += 1
        envs = sorted(by_env)
        seen = {env: _behaviour(s) for env, s in by_env.items()}
        for key in sorted({k for v in seen.values() for k in v}):
            values = {env: seen[env].get(key, "(not set)") for env in envs}
            if len({str(v) for v in values.values()}) > 1:
                listing = ", ".join(f"{env} {values[env]} ({by_env[env].declared[0]})" for env in envs)
                findings.append(Finding(f"{name}: {key} differs between environments: {listing}",
                                        location=by_env[envs[0]].declared[0], observed=values,
                                        expected=f"the same {key} in every environment"))
        for key in SIZING_SETTINGS:
            values = {env: by_env[env].settings.get(key) for env in envs}
            if len({str(v) for v in values.values()}) > 1:
                ctx.note(f"{name}: {key} differs by design: " + ", ".join(f"{e} {v}" for e, v in values.items()))
        ctx.note(f"{name}: compared {', '.join(envs)}")
    return findings, compared


def _app_parity(repo, ctx) -> tuple[list[Finding], int]:
    """One application's connections per environment (Rails database.yml, settings/<env>.py,
    application-<profile>.yml): the engine must be the same, or tests pass on a database production lacks."""
    from ..sources.appconfig import app_connections

    groups: dict[str, dict[str, set[tuple[str, str]]]] = defaultdict(lambda: defaultdict(set))
    for c in app_connections(repo):
        file = c.location.rsplit(":", 1)[0]
        env = c.via.split(":", 1)[1] if c.via.startswith("rails:") else environment_of(file)
        env = environment_of(env) if env else None  # Rails' "default" anchor is no environment
        if env:
            groups[file.rsplit("/", 1)[0] if "/" in file else "."][env].add((c.engine, c.location))
    findings, compared = [], 0
    for folder, by_env in sorted(groups.items()):
        if len(by_env) < 2:
            continue
        compared += 1
        engines = {env: sorted({e for e, _ in pairs}) for env, pairs in by_env.items()}
        production = engines.get("production")
        listing = ", ".join(f"{env} {'/'.join(e)}" for env, e in sorted(engines.items()))
        odd = [env for env, e in engines.items() if production and e != production]
        if len({tuple(e) for e in engines.values()}) > 1:
            where = sorted(loc for env in (odd or sorted(engines)) for _, loc in by_env[env])[0]
            findings.append(Finding(
                f"{folder}: environments use different database engines: {listing}", location=where,
                observed=engines, expected="the production engine in every environment",
                severity="Low" if odd and set(odd) <= {"test"} else None))
        else:
            ctx.note(f"{folder}: same engine in {listing}")
    return findings, compared


@check("CF-05", "static")
def version_parity(repo, ctx):
    """The same engine runs the same release series wherever it is declared (compose, Kubernetes, Helm,
    Terraform); the same store declared per environment has the same behaviour settings; an application's
    environments (Rails database.yml, per-environment settings files) use the same engine."""
    by_engine: dict[str, list] = defaultdict(list)
    stores = inventory_of(repo).stores
    for s in stores:
        if s.kind == "relational" and s.version:
            by_engine[s.engine].append(s)
    findings, compared = [], 0
    for engine, group in by_engine.items():
        sources = {s.source for s in group}
        majors = {series_of(engine, s.version): s for s in group}
        if len(sources) < 2 and len(majors) < 2:
            continue
        compared += 1
        listing = ", ".join(f"{s.source} {s.name} {s.version} ({s.declared[0]})" for s in group)
        if len(majors) > 1:
            findings.append(Finding(f"{engine} runs different release series: {listing}",
                                    location=group[0].declared[0],
                                    observed=sorted(".".join(map(str, m)) for m in majors if m),
                                    expected="one release series everywhere"))
        else:
            ctx.note(f"{engine}: same release series everywhere: {listing}")
    more, n = _settings_parity([s for s in stores if s.declared], ctx)
    findings, compared = findings + more, compared + n
    more, n = _app_parity(repo, ctx)
    findings, compared = findings + more, compared + n
    if findings:
        return findings
    if not compared:
        raise Undecided("each database is declared for one environment only, so there is nothing to compare "
                        "(declare environments in compose, Kubernetes, Helm values, Terraform or app settings)")
    return []
