"""Live probes: the small, engine-specific checks behind a catalog item's live test.

A catalog item (``SE-01 Applications connect with least-privilege roles``) is one test per target;
on a live database it is decided by one or more probes (``pg.app-role-superuser``,
``my.app-account-global-privileges`` ...). Each probe declares, next to its code, the engines it
runs on, what it needs to see (preflight capabilities, each with the GRANT that provides it), its
thresholds and the anchor rules it covers. The item's verdict: any probe fails -> fail; else any
probe could not decide -> unknown, listing the GRANTs that would decide; else pass. A probe that
lacks what it needs never runs, so it can never pass by seeing nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..outcomes import Finding, NotApplicable, Outcome, Result, TargetUnavailable, Undecided
from ..redact import redact
from ..registry import check

ProbeFn = Callable[[Any, "ProbeContext"], "list[Finding] | None"]

ENGINES = {"postgresql": ("postgresql",), "mysql": ("mysql", "mariadb"), "mariadb": ("mariadb",),
           "mysql-only": ("mysql",), "sqlite": ("sqlite",)}


@dataclass(frozen=True)
class Probe:
    id: str  # stable, engine-prefixed: pg.*, my.*, lite.*
    item: str  # catalog item it decides (with the item's other probes)
    title: str
    flavors: tuple[str, ...]  # postgresql | mysql | mariadb | sqlite
    fn: ProbeFn
    needs: tuple[str, ...] = ()  # preflight capabilities (see preflight.py)
    thresholds: dict[str, Any] = field(default_factory=dict)
    anchors: tuple[str, ...] = ()  # anchor rules covered (PgHero, check_postgres, CIS ...)
    min_version: tuple[int, ...] | None = None  # server version the catalog views need
    host_only: bool = False  # needs the server's host/files: not applicable on managed platforms
    expensive: bool = False  # opt-in (live.expensive = true in the config)
    fix: str = ""  # suggested fix; the tool never applies it


_PROBES: dict[str, Probe] = {}


def probe(item: str, probe_id: str, title: str, *, engines: str | tuple[str, ...], needs: tuple[str, ...] = (),
          thresholds: dict[str, Any] | None = None, anchors: tuple[str, ...] = (),
          min_version: tuple[int, ...] | None = None, host_only: bool = False, expensive: bool = False,
          fix: str = "") -> Callable[[ProbeFn], ProbeFn]:
    """Register ``fn(db, p)`` as a live probe of catalog item ``item``.

    ``fn`` returns findings (empty: passed), or raises Undecided / NotApplicable with the reason.
    """
    flavors = ENGINES[engines] if isinstance(engines, str) else tuple(f for e in engines for f in ENGINES[e])

    def deco(fn: ProbeFn) -> ProbeFn:
        if probe_id in _PROBES and _PROBES[probe_id].fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"probe {probe_id} is registered twice")
        _PROBES[probe_id] = Probe(probe_id, item, title, flavors, fn, tuple(needs), dict(thresholds or {}),
                                  tuple(anchors), min_version, host_only, expensive, fix or (fn.__doc__ or "").strip())
        check(item, "live")(run_live_item)
        return fn

    return deco


def probes_of(item: str) -> list[Probe]:
    return [p for p in _PROBES.values() if p.item == item]


def all_probes() -> list[Probe]:
    return sorted(_PROBES.values(), key=lambda p: (p.item, p.id))


def probe_thresholds(item: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in probes_of(item):
        out.update(p.thresholds)
    return out


@dataclass
class ProbeContext:
    """What a probe receives besides the database."""

    probe: Probe
    caps: Any  # preflight.Capabilities
    item_ctx: Any  # audit.CheckContext
    evidence: list[str] = field(default_factory=list)

    def threshold(self, name: str) -> Any:
        return self.item_ctx.threshold(name, self.probe.thresholds)

    def note(self, text: str) -> None:
        self.evidence.append(redact(text))

    @property
    def expensive_allowed(self) -> bool:
        return bool(self.item_ctx.audit.cfg.live.get("expensive"))


@dataclass
class ProbeResult:
    probe: Probe
    outcome: Outcome
    reason: str = ""
    grant: str = ""
    findings: list[Finding] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        d = {"probe": self.probe.id, "title": self.probe.title, "outcome": self.outcome.value,
             "findings": len(self.findings), "seconds": round(self.seconds, 4)}
        if self.reason:
            d["reason"] = self.reason
        if self.grant:
            d["grant"] = self.grant
        if self.probe.anchors:
            d["anchors"] = list(self.probe.anchors)
        return d


def run_probe(p: Probe, db: Any, caps: Any, item_ctx: Any) -> ProbeResult:
    """One probe, never raising: what it lacks, its errors and timeouts become unknown."""
    from .preflight import grant_for, missing

    start = time.monotonic()
    pctx = ProbeContext(p, caps, item_ctx)

    def done(outcome: Outcome, reason: str = "", grant: str = "", findings=()) -> ProbeResult:
        return ProbeResult(p, outcome, redact(reason), grant, list(findings), pctx.evidence, time.monotonic() - start)

    if db.flavor not in p.flavors:
        return done(Outcome.NOT_APPLICABLE, f"not a {db.flavor} probe")
    if p.min_version and caps.version < p.min_version:
        need = ".".join(map(str, p.min_version))
        return done(Outcome.NOT_APPLICABLE, f"needs {db.flavor} {need} or later (server is {db.version})")
    if p.host_only and caps.platform:
        return done(Outcome.NOT_APPLICABLE, f"reads the server's host; {caps.platform} does not expose it")
    if p.expensive and not pctx.expensive_allowed:
        return done(Outcome.UNKNOWN, "expensive probe, off by default: set live.expensive = true in the audit "
                                     "config to run it")
    lacking = missing(caps, p.needs)
    if lacking:
        grants = "; ".join(dict.fromkeys(grant_for(caps, n) for n in lacking))
        return done(Outcome.UNKNOWN, f"the audit role cannot see what this needs ({', '.join(lacking)})", grants)
    if db.out_of_time():
        return done(Outcome.UNKNOWN, f"the live time budget ({db.budget_s:g} s) was spent before this probe ran")
    try:
        findings = list(p.fn(db, pctx) or [])
    except NotApplicable as exc:
        return done(Outcome.NOT_APPLICABLE, str(exc))
    except Undecided as exc:
        return done(Outcome.UNKNOWN, str(exc), getattr(exc, "grant", ""))
    except TargetUnavailable:
        raise
    except Exception as exc:  # a driver error: a cancelled query, a missing view, a lost connection
        from .connection import classify_error

        kind, line = classify_error(exc)
        if kind == "lost":
            raise TargetUnavailable(f"connection lost during {p.id}: {line}") from None
        grant = "; ".join(dict.fromkeys(grant_for(caps, n) for n in p.needs)) if kind == "privilege" else ""
        return done(Outcome.UNKNOWN, f"{kind}: {line}", grant)
    for f in findings:
        f.location = f.location or db.target.label
        if not f.remediation and p.fix:
            f.remediation = p.fix
    return done(Outcome.FAIL if findings else Outcome.PASS, findings=findings)


def run_live_item(db: Any, ctx: Any) -> Result:
    """The live test of a catalog item: run its probes, combine their outcomes."""
    from .preflight import capabilities

    db.ping()
    caps = capabilities(db)
    parts = [run_probe(p, db, caps, ctx) for p in probes_of(ctx.item.id)]
    applicable = [r for r in parts if r.outcome is not Outcome.NOT_APPLICABLE]
    evidence: list[str] = []
    findings: list[Finding] = []
    for r in parts:
        evidence.extend(f"{r.probe.id}: {e}" for e in r.evidence)
        line = f"{r.probe.id} ({r.probe.title}): {r.outcome.value}"
        if r.reason:
            line += f" - {r.reason}"
        if r.grant:
            line += f" [to decide: {r.grant}]"
        evidence.append(line)
        findings.extend(r.findings)
    if caps.platform:
        evidence.append(f"platform: {caps.platform}")
    unknown = [r for r in applicable if r.outcome is Outcome.UNKNOWN]
    if findings:
        outcome, reason = Outcome.FAIL, ""
        if unknown:
            reason = "also not decided: " + "; ".join(_unknown_line(r) for r in unknown)
    elif unknown:
        outcome, reason = Outcome.UNKNOWN, "; ".join(_unknown_line(r) for r in unknown)
    elif not applicable:
        reasons = sorted({r.reason for r in parts}) or [f"no live probe for {db.flavor}"]
        outcome, reason = Outcome.NOT_APPLICABLE, "; ".join(reasons)
    else:
        outcome, reason = Outcome.PASS, ""
    return Result(outcome, reason, findings, evidence, parts=[r.to_dict() for r in parts])


def _unknown_line(r: ProbeResult) -> str:
    return f"{r.probe.id}: {r.reason}" + (f" (to decide: {r.grant})" if r.grant else "")
