"""Render the catalog reference (docs/catalog.md) from the YAML: ``python -m pytest_dbaudit.catalog_docs``."""

from __future__ import annotations

import sys

from .catalog import Catalog, load_catalog
from .registry import implemented_modes, load_builtin_rules


def render(catalog: Catalog) -> str:
    load_builtin_rules()
    out = ["# Catalog reference", "",
           "Generated from `checks/*.yaml` by `python -m pytest_dbaudit.catalog_docs`; do not edit by hand.", "",
           f"{len(catalog.items)} items in {len(catalog.sections)} sections. *Decided by* lists the modes with code; "
           "an item without code is decided by an attestation until its code exists.", ""]
    grouped = catalog.by_section()
    for name, sec in catalog.sections.items():
        items = grouped[name]
        out += [f"## {sec.prefix} — {sec.title} (`{name}`)", "", sec.description, "",
                "| id | title | severity | gates | modes | decided by |", "|---|---|---|---|---|---|"]
        for i in items:
            decided = ", ".join(implemented_modes(i.id) + (["sql"] if i.sql else [])) or "attestation"
            out.append(f"| [{i.id}](#{i.id.lower()}) | {i.title} | {i.severity} | {i.level} | {', '.join(i.modes)} | {decided} |")
        out.append("")
        for i in items:
            out += [f"### {i.id}", "", f"**{i.title}** — {i.severity}, gates level {i.level}.", "",
                    f"*Why:* {i.rationale}", "", f"*Fix:* {i.remediation}", ""]
            if i.thresholds:
                out += ["*Thresholds:* " + ", ".join(f"`{k}` = {v}" for k, v in i.thresholds.items()), ""]
            if i.references:
                out += ["*References:* " + "; ".join(i.references), ""]
            if i.seed_lines:
                out += ["*Checklist lines:* " + "; ".join(f"“{s}”" for s in i.seed_lines), ""]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(load_catalog()))
