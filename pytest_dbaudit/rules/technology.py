"""Technology & version checks."""

from __future__ import annotations


from ..eol import TABLE_DATE, support_of
from ..outcomes import Finding, Undecided
from ..registry import check
from ..sources.stack import image_version, stack_of

def _declared_versions(repo):
    """(location, what, engine, version or None) for every declared store and database image."""
    from ..sources.inventory import inventory_of

    out, seen = [], set()
    for store in inventory_of(repo).stores:
        what = store.settings.get("image") or store.name
        out.append((store.declared[0], str(what), store.engine, store.version, store.unknown.get("engine_version")))
        seen.add(store.declared[0])
    for where, image, engine in stack_of(repo).images:  # images elsewhere, e.g. CI service containers
        if where not in seen:
            out.append((where, image, engine, image_version(image), None))
    return out


@check("TV-03", "static")
def version_support_static(repo, ctx):
    """Engine versions declared in compose, Kubernetes, Terraform and CI files against the dated EOL table."""
    findings, undecided, judged = [], [], 0
    for where, what, engine, version, expression in _declared_versions(repo):
        if engine not in ("postgresql", "mysql", "mariadb"):
            continue
        if version is None:
            undecided.append(f"{where}: {what}: " + (f"version is {expression}" if expression else
                                                     "no version pinned (floating tag or provider default)"))
            continue
        s = support_of(engine, version)
        if s.status == "eol":
            findings.append(Finding(f"{what}: {s.detail}", location=where, observed=version,
                                    expected=f"a release series supported on {TABLE_DATE} or later"))
        elif s.status == "unknown":
            undecided.append(f"{where}: {s.detail}")
        else:
            judged += 1
            ctx.note(f"{where}: {what}: {s.detail}")
    if findings:
        for u in undecided:
            ctx.note(u)
        return findings
    if undecided:
        raise Undecided("; ".join(undecided))
    if not judged:
        raise Undecided("no database engine version is declared in the repository (compose, Kubernetes, "
                        "Terraform); audit the server live with --dbaudit-db to decide")
    return []


# MariaDB is counted in long-term series: its short-term releases are not "versions" to keep up with.
_MARIADB_LTS = [(10, 3), (10, 4), (10, 5), (10, 6), (10, 11), (11, 4), (11, 8)]


def _series_behind(engine: str, version: str) -> int:
    from ..eol import EOL, series_of

    mine = series_of(engine, version)
    if engine == "mariadb":
        return sum(1 for s in _MARIADB_LTS if s > mine)
    return len({s[0] for s in EOL[engine] if s[0] > mine[0]})


@check("TV-02", "static")
def majors_behind(repo, ctx):
    """Declared versions at most ``max_major_versions_behind`` majors behind the newest in the dated table, and
    pinned (a floating tag upgrades without review), and on the newest minor of its series in the dated table."""
    from ..eol import TABLE_DATE, minor_lag

    allowed = int(ctx.threshold("max_major_versions_behind"))
    findings, undecided, judged = [], [], 0
    for where, what, engine, version, expression in _declared_versions(repo):
        if engine not in ("postgresql", "mysql", "mariadb"):
            continue
        if version is None:
            tag = what.rsplit("/", 1)[-1]
            if not expression and (":" not in tag or tag.endswith((":latest", ":lts"))):
                findings.append(Finding(f"{what}: not pinned to a version; upgrades happen unreviewed", location=where,
                                        observed=what, expected="an explicit major.minor tag", severity="Medium"))
            continue
        judged += 1
        behind = _series_behind(engine, version)
        if behind > allowed:
            findings.append(Finding(f"{what}: {behind} major versions behind the newest in the table", location=where,
                                    observed=version, expected=f"at most {allowed} behind"))
        else:
            ctx.note(f"{where}: {what}: {behind} major version(s) behind")
        lag = minor_lag(engine, version)
        if lag is None:
            ctx.note(f"{where}: {what}: names only the major version, so it follows the newest minor")
        elif lag[0] == "behind":
            findings.append(Finding(f"{what}: {version} is behind the newest minor {lag[1]} (table of {TABLE_DATE})",
                                    location=where, observed=version, expected=f">= {lag[1]}"))
        elif lag[0] == "unknown":
            undecided.append(f"{what}: the newest minor of this series is not in the table")
        else:
            ctx.note(f"{where}: {what}: newest minor ({lag[1]})")
    if findings:
        return findings
    if undecided:
        raise Undecided("; ".join(undecided) + " (the live check reads the running version: --dbaudit-db)")
    if judged:
        return []
    raise Undecided("no database engine version is declared in the repository")
