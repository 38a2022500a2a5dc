"""The end-of-run maturity table in the terminal."""

from __future__ import annotations

from ..outcomes import OUTCOME_ORDER

_SHORT = {"pass": "pass", "fail": "fail", "not-applicable": "n/a", "unknown": "unk", "error": "err",
          "waived": "waiv", "not-demonstrated": "n/d"}


def table_rows(plugin) -> list[list[str]]:
    levels = plugin.levels
    catalog = plugin.audit.catalog
    rows = []
    for name, sec in levels.sections.items():
        if not any(sec.counts.values()):
            continue
        title = catalog.sections[name].title if name in catalog.sections else name
        level = "n/a" if sec.level is None else str(sec.level)
        capped = ", ".join(sec.capped_by[:6]) + (f" +{len(sec.capped_by) - 6}" if len(sec.capped_by) > 6 else "")
        rows.append([title, level] + [str(sec.counts.get(o, 0)) for o in OUTCOME_ORDER] + [capped or "-"])
    return rows


def write_summary(tr, plugin) -> None:
    levels = plugin.levels
    tr.write_sep("=", "dbaudit maturity")
    header = ["section", "level"] + [_SHORT[o] for o in OUTCOME_ORDER] + ["capped by"]
    rows = table_rows(plugin)
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header) - 1)]
    fmt = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) + "  " + r[-1]
    tr.write_line(fmt(header))
    for r in rows:
        tr.write_line(fmt(r))
    overall = "n/a" if levels.overall is None else f"{levels.overall}/5"
    capped = f" (lowest: {', '.join(levels.overall_capped_by)})" if levels.overall_capped_by else ""
    tr.write_line(f"overall maturity: {overall}{capped}", bold=True)
    unknown = [r for r in plugin.records if r["outcome"] == "unknown"]
    if unknown:
        tr.write_line(f"could not decide ({len(unknown)}):", yellow=True)
        for r in unknown[:20]:
            tr.write_line(f"  {r['id']}[{r['target']}]: {r['reason']}")
        if len(unknown) > 20:
            tr.write_line(f"  ... {len(unknown) - 20} more in the JSON/HTML report")
    for t in plugin.targets:
        if t.get("status") == "unreachable":
            tr.write_line(f"dbaudit: target {t['label']} unreachable: {t.get('error')}", red=True)
    for s in plugin.audit.unset_targets:
        tr.write_line(f"dbaudit: target {s}: not audited", yellow=True)
    cfg = plugin.audit.cfg
    used = plugin.used_waivers()
    for i, w in enumerate(cfg.waivers):
        if i not in used:
            tr.write_line(f"dbaudit: unused waiver {w.id} (target {w.target}, expires {w.expires}): nothing it covers failed", yellow=True)
    for reason in plugin.gate_reasons:
        tr.write_line(f"dbaudit gate failed: {reason}", red=True, bold=True)
