"""Render the rule reference into docs/sql-rules.md: ``python -m pytest_dbaudit.sqlrules.docs docs/sql-rules.md``.

Only the part between the BEGIN/END markers is generated; the rest of the page is written by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .registry import rules

BEGIN = "<!-- BEGIN GENERATED RULES: python -m pytest_dbaudit.sqlrules.docs docs/sql-rules.md -->"
END = "<!-- END GENERATED RULES -->"
_TITLES = {"postgresql": "PostgreSQL", "mysql": "MySQL and MariaDB"}


def _anchor(r) -> str:
    parts = [f"squawk `{r.squawk}`" if r.squawk else "", f"strong_migrations `{r.strong_migrations}`"
             if r.strong_migrations else ""]
    return ", ".join(p for p in parts if p) or "—"


def render() -> str:
    out = [BEGIN, ""]
    for dialect in ("postgresql", "mysql"):
        own = [r for r in rules(dialect) if r.dialect == dialect]
        out += [f"### {_TITLES[dialect]} ({len(own)} rules)", "",
                "| id | severity | anchor | what |", "|---|---|---|---|"]
        for r in own:
            flag = " (off by default)" if not r.default else ""
            out.append(f"| [`{r.id}`](#{dialect}-{r.id}) | {r.severity} | {_anchor(r)} | {r.summary}{flag} |")
        out.append("")
        for r in own:
            out += [f'<a id="{dialect}-{r.id}"></a>', f"#### `{r.id}` ({_TITLES[dialect]})", "",
                    f"*What:* {r.summary}. *Anchor:* {_anchor(r)}. *Severity:* {r.severity}.", "",
                    f"*Why:* {' '.join(r.why.split())}", "", f"*Fix:* {r.fix}.", ""]
            if r.versions:
                out += [f"*Versions:* {r.versions}.", ""]
    meta = [r for r in rules("postgresql") if r.dialect == "any"]
    out += [f"### Suppression rules, all dialects ({len(meta)} rules)", "",
            "| id | severity | anchor | what | why | fix |", "|---|---|---|---|---|---|"]
    for r in meta:
        out.append(f"| `{r.id}` | {r.severity} | {_anchor(r)} | {r.summary} | {' '.join(r.why.split())} | {r.fix} |")
    out += ["", END]
    return "\n".join(out)


def update(text: str) -> str:
    """``text`` with the generated part replaced (or appended when the markers are missing)."""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        return head + render() + rest.split(END, 1)[1]
    return text.rstrip() + "\n\n" + render() + "\n"


if __name__ == "__main__":
    if len(sys.argv) > 1:
        path = Path(sys.argv[1])
        path.write_text(update(path.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(render() + "\n")
