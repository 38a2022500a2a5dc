"""Inventory & dependency-mapping checks: the documented catalog of data stores against what the
repository declares (seed 001, phases 1-2)."""

from __future__ import annotations

import fnmatch

from ..outcomes import Finding, NotApplicable, Undecided
from ..registry import check
from ..sources.inventory import inventory_of

REQUIRED = ("owner", "purpose")


def _documented(ctx):
    return ctx.audit.cfg.data_stores


def _config_location(ctx) -> str:
    """The audit config's path as reports show locations: relative to the audited repository when inside it."""
    path = ctx.audit.cfg.path
    try:
        return str(path.resolve().relative_to(ctx.repo.root))
    except (ValueError, AttributeError):
        return str(path)


@check("IN-02", "static")
def catalog_of_data_stores(repo, ctx):
    """The audit config keeps a catalog (data_stores) with an owner and a purpose for every entry."""
    catalog = _documented(ctx)
    if catalog is None:
        raise Undecided("the audit config has no data_stores catalog (name, engine, owner, purpose, backup)")
    findings = [Finding(f"data_stores entry {e['name']} has no {', '.join(k for k in REQUIRED if not e.get(k))}",
                        location=_config_location(ctx), observed=sorted(e), expected=list(REQUIRED))
                for e in catalog if any(not e.get(k) for k in REQUIRED)]
    ctx.note(f"{len(catalog)} documented data store(s) in {_config_location(ctx)}")
    return findings


@check("IN-04", "static")
def inventory_matches_catalog(repo, ctx):
    """Undocumented stores (found, not catalogued) and orphaned entries (catalogued, found nowhere)."""
    stores = inventory_of(repo).stores
    catalog = _documented(ctx)
    if not stores and not catalog:
        raise NotApplicable("the repository declares no data store and the config documents none")
    catalog = catalog or []
    findings, used = [], set()
    for s in stores:
        hits = [i for i, e in enumerate(catalog) if fnmatch.fnmatchcase(s.name, e["name"])]
        used.update(hits)
        if hits:
            ctx.note(f"{s.name} ({s.engine}, {s.declared[0]}): documented as {catalog[hits[0]]['name']}")
        else:
            findings.append(Finding(
                f"undocumented data store: {s.name} ({s.engine}, found in {s.source}, used by "
                f"{', '.join(s.used_by) or 'nothing found'})", location=s.declared[0],
                observed="not in data_stores", expected="an entry with owner, purpose and backup"))
    for i, e in enumerate(catalog):
        if i not in used and not e.get("external"):
            findings.append(Finding(f"catalogued data store {e['name']} is declared nowhere in the repository "
                                    "(orphaned entry, or a store managed outside it)",
                                    location=_config_location(ctx), severity="Low"))
    return findings
