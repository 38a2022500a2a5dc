"""The versioned JSON report (schema documented in docs/json-report.md)."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path

from .. import __version__
from ..redact import redact

SCHEMA = "pytest-dbaudit/report"
SCHEMA_VERSION = 1


def build(plugin, duration_s: float) -> dict:
    audit = plugin.audit
    cfg = audit.cfg
    used = plugin.used_waivers()
    today = dt.date.today()
    counts: dict[str, int] = {}
    for r in plugin.records:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    models = audit.repo_models()
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "pytest-dbaudit", "version": __version__, "python": platform.python_version()},
        "catalog": {"version": audit.catalog.version, "items": len(audit.catalog.items),
                    "sections": {n: s.title for n, s in audit.catalog.sections.items()}},
        "run": {
            "started": audit.started.isoformat(timespec="seconds"),
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "duration_s": round(duration_s, 3),
            "repo": str(audit.opts.repo),
            "config": str(cfg.path) if cfg.path else None,
        },
        "targets": [{"kind": "repo", "label": "repo", "path": str(audit.opts.repo)}] + plugin.targets
                   + [{"kind": "live", "label": s, "status": "not-set"} for s in audit.unset_targets],
        "stack": models["stack"],
        "inventory": models["inventory"],
        "migrations": models.get("migrations"),
        "levels": plugin.levels.to_dict(),
        "gates": {"fail_under": audit.fail_under, "fail_on": audit.fail_on, "failed": plugin.gate_reasons},
        "summary": counts,
        "items": plugin.records,
        "waivers": [
            {"id": w.id, "target": w.target, "reason": w.reason, "expires": w.expires.isoformat(), "owner": w.owner,
             "ticket": w.ticket, "used": i in used, "expired": today > w.expires}
            for i, w in enumerate(cfg.waivers)
        ],
        "attestations": [
            {"id": a.id, "by": a.by, "date": a.date.isoformat(), "statement": a.statement, "evidence": a.evidence}
            for a in cfg.attestations.values()
        ],
    }


def write_json(path: str, plugin, duration_s: float) -> None:
    data = build(plugin, duration_s)
    text = redact(json.dumps(data, indent=2, default=str))
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + f".{os.getpid()}.tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(target)
