"""Technology & version checks."""

from __future__ import annotations

import re

from ..eol import TABLE_DATE, support_of
from ..outcomes import Finding, NotApplicable, Undecided
from ..registry import check
from ..sources.stack import stack_of

_VERSION_TAG = re.compile(r"^(\d+(?:\.\d+){0,2})")


def _image_version(image: str) -> str | None:
    ref = image.rsplit("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    if ":" not in last:
        return None
    m = _VERSION_TAG.match(last.rsplit(":", 1)[1])
    return m.group(1) if m else None


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
            out.append((where, image, engine, _image_version(image), None))
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


@check("TV-03", "live")
def version_support_live(db, ctx):
    s = support_of(db.flavor, db.version)
    ctx.note(f"server reports {db.version_full}")
    if s.status == "unknown":
        raise Undecided(s.detail)
    if s.status == "eol":
        return [Finding(s.detail, location=db.target.label, observed=db.version,
                        expected=f"a supported {db.flavor} release (table of {TABLE_DATE})")]
    ctx.note(s.detail)
    return []
