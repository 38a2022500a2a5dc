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


@check("TV-03", "static")
def version_support_static(repo, ctx):
    """Engine versions declared in the repository (container images) against the dated EOL table."""
    images = stack_of(repo).images
    if not images:
        raise Undecided("no database engine version is declared in the repository (container image tags); "
                        "audit the server live with --dbaudit-db to decide")
    findings, undecided = [], []
    for where, image, engine in images:
        engine_key = "mysql" if engine == "mysql" else engine
        if engine_key not in ("postgresql", "mysql", "mariadb"):
            continue
        version = _image_version(image)
        if version is None:
            undecided.append(f"{where}: {image} has a floating tag; the version it runs cannot be known")
            continue
        s = support_of(engine_key, version)
        if s.status == "eol":
            findings.append(Finding(f"{image}: {s.detail}", location=where, observed=version,
                                    expected=f"a release series supported on {TABLE_DATE} or later"))
        elif s.status == "unknown":
            undecided.append(f"{where}: {s.detail}")
        else:
            ctx.note(f"{where}: {image}: {s.detail}")
    if findings:
        for u in undecided:
            ctx.note(u)
        return findings
    if undecided:
        raise Undecided("; ".join(undecided))
    if not ctx.evidence:
        raise NotApplicable("no PostgreSQL, MySQL or MariaDB image is declared in the repository")
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
