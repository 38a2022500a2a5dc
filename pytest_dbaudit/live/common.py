"""Probes that read the same fact on every engine."""

from __future__ import annotations

from ..eol import TABLE_DATE, support_of
from ..outcomes import Finding, Undecided
from .probe import probe

ALL = ("postgresql", "mysql", "sqlite")


@probe("TV-03", "any.version-supported", "The server's version is supported and not a pre-release", engines=ALL,
       anchors=("PD 1.5", "DSP-02", "DSM db-02", "CP version", "PC A002", "SB 128"),
       fix="Upgrade to a supported release; plan majors before their end-of-life date.")
def version_supported(db, p):
    s = support_of(db.flavor, db.version)
    p.note(f"server reports {db.version_full}")
    low = db.version_full.lower()
    if any(tag in low for tag in ("beta", "devel", " rc", "-rc", "alpha")):
        return [Finding(f"pre-release build in use: {db.version_full}", observed=db.version_full,
                        expected="a released version", severity="Critical")]
    if s.status == "unknown":
        raise Undecided(s.detail)
    if s.status == "eol":
        return [Finding(s.detail, observed=db.version, expected=f"a supported {db.flavor} release (table of {TABLE_DATE})")]
    p.note(s.detail)
    return []
