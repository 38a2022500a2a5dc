"""pytest-html additions: the maturity table in the summary, evidence in each row's details."""

from __future__ import annotations

from html import escape

from ..outcomes import OUTCOME_ORDER
from ..redact import redact
from .terminal import table_rows

_COLORS = {1: "#c62828", 2: "#ef6c00", 3: "#f9a825", 4: "#7cb342", 5: "#2e7d32"}


def maturity_html(plugin) -> str:
    levels = plugin.levels
    head = "".join(f"<th>{escape(h)}</th>" for h in ["Section", "Level"] + OUTCOME_ORDER + ["Capped by"])
    body = []
    for row in table_rows(plugin):
        level = row[1]
        color = _COLORS.get(int(level), "#777") if level.isdigit() else "#777"
        cells = [f"<td>{escape(row[0])}</td>", f'<td style="font-weight:bold;color:{color}">{escape(level)}</td>']
        cells += [f"<td>{escape(c)}</td>" for c in row[2:-1]] + [f"<td>{escape(row[-1])}</td>"]
        body.append("<tr>" + "".join(cells) + "</tr>")
    overall = "n/a" if levels.overall is None else f"{levels.overall} / 5"
    gates = "".join(f'<p style="color:#c62828"><b>Gate failed:</b> {escape(r)}</p>' for r in plugin.gate_reasons)
    return redact(
        '<div class="dbaudit-maturity"><h2>Database audit maturity</h2>'
        f"<p><b>Overall maturity: {escape(overall)}</b></p>{gates}"
        f'<table class="dbaudit-levels" border="1" cellpadding="4" style="border-collapse:collapse">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def item_html(record: dict) -> str:
    parts = [f"<p><b>{escape(record['id'])}</b> {escape(record['title'])} &mdash; {escape(record['outcome'])}"
             f" (severity {escape(record['severity'])}, gates level {record['level']}, target {escape(record['target'])})</p>"]
    if record.get("reason"):
        parts.append(f"<p>{escape(record['reason'])}</p>")
    if record.get("findings"):
        lis = []
        for f in record["findings"][:200]:
            loc = f"<code>{escape(f.get('location', ''))}</code>: " if f.get("location") else ""
            extra = ""
            if "observed" in f or "expected" in f:
                extra = f" (observed {escape(str(f.get('observed')))}; expected {escape(str(f.get('expected')))})"
            lis.append(f"<li>{loc}{escape(f['message'])}{extra}</li>")
        parts.append("<p>Findings:</p><ul>" + "".join(lis) + "</ul>")
    if record.get("evidence"):
        parts.append("<p>Evidence:</p><ul>" + "".join(f"<li>{escape(e)}</li>" for e in record["evidence"][:100]) + "</ul>")
    if record.get("queries"):
        parts.append("<p>Queries:</p>" + "".join(f"<pre>{escape(q)}</pre>" for q in record["queries"][:20]))
    return redact("".join(parts))
