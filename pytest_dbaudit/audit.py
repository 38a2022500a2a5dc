"""One audit run: the catalog, the configuration, the targets, and running one check on one target.

Sources are opened lazily and once per process (the repository walk, each live connection, the
throwaway-database provider) and shared by every check: parse once, check many.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalog import Catalog, CheckItem, load_catalog
from .config import AuditConfig, catalog_files, find_config, load_config, parse_level_gate, parse_severity, validate_ids, _Err
from .errors import DbauditUsageError
from .outcomes import Finding, NotApplicable, Outcome, Result, TargetUnavailable, Undecided
from .redact import redact
from .registry import implementation, load_builtin_rules
from .live.connection import expand_databases
from .targets import ATTEST, NO_LIVE, REPO, Target, drill_target, live_target


@dataclass
class Options:
    repo: Path
    rootdir: Path
    dbs: list[str] = field(default_factory=list)
    config: str | None = None
    fail_under: list[str] = field(default_factory=list)
    fail_on: str | None = None
    drill_engines: list[str] = field(default_factory=list)
    containers: bool = True
    allow_destructive: bool = False  # drills may create their databases on the --dbaudit-db servers


@dataclass
class Planned:
    item: CheckItem
    mode: str
    target: Target


@dataclass
class CheckContext:
    """What a check function receives besides its subject."""

    item: CheckItem
    target: Target
    audit: "Audit"
    evidence: list[str] = field(default_factory=list)

    def threshold(self, name: str, defaults: dict[str, Any] | None = None) -> Any:
        """The target's own value, else the config's, else ``defaults`` (a live probe's or schema check's
        declared default), else the catalog item's."""
        cfg = self.audit.cfg
        for table in (cfg.target_thresholds.get(self.target.label, {}).get(self.item.id, {}),
                      cfg.thresholds.get(self.item.id, {}), defaults or {}):
            if name in table:
                return table[name]
        if name not in self.item.thresholds:
            raise KeyError(f"{self.item.id} declares no threshold {name!r}")
        return self.item.thresholds[name]

    def note(self, text: str) -> None:
        """Record what was looked at or observed; shown in reports on pass as on fail."""
        self.evidence.append(redact(text))

    @property
    def repo(self):
        return self.audit.repository()


class Audit:
    def __init__(self, opts: Options):
        self.opts = opts
        self.started = dt.datetime.now(dt.timezone.utc)
        found = find_config(opts.config, opts.repo, opts.rootdir)
        self.catalog: Catalog = load_catalog(catalog_files(found))  # user items are named in the config
        sections = list(self.catalog.sections)
        self.cfg: AuditConfig = load_config(found, sections)
        load_builtin_rules()
        from .live.probe import probe_thresholds

        validate_ids(self.cfg, set(self.catalog.items),
                     {i.id: {**i.thresholds, **probe_thresholds(i.id)} for i in self.catalog.items.values()})
        err = _Err("command line")
        self.fail_under = dict(self.cfg.fail_under)
        for value in opts.fail_under:
            self.fail_under.update(parse_level_gate(value, "--dbaudit-fail-under", err, sections))
        self.fail_on = parse_severity(opts.fail_on, "--dbaudit-fail-on", err) if opts.fail_on else self.cfg.fail_on

        self.live_targets: list[Target] = []
        self.unset_targets: list[str] = []  # inventory entries whose URL variable is not set
        seen: set[str] = set()
        for url in opts.dbs:
            t = live_target(url)
            if t.label not in seen:
                seen.add(t.label)
                self.live_targets.append(t)
        if not opts.dbs:  # command-line targets replace the configured ones
            for spec in self.cfg.targets:
                if spec.url is None:
                    self.unset_targets.append(f"{spec.name or spec.url_env} (${spec.url_env} is not set)")
                    continue
                for t in expand_databases(live_target(spec.url, spec.name), spec.databases, self.cfg.live):
                    if t.label not in seen:
                        seen.add(t.label)
                        self.live_targets.append(t)
                        if spec.thresholds:
                            self.cfg.target_thresholds[t.label] = spec.thresholds
        self.drill_engines = opts.drill_engines or self.cfg.drill_engines
        self._repo = None
        self._live: dict[str, Any] = {}
        self._throwaway = None
        self._shared: dict[Any, Any] = {}
        self.pytest_config: Any = None  # set by the plugin; None when the audit runs outside pytest

    # -- sources, opened once --------------------------------------------------------------------
    def repository(self):
        if self._repo is None:
            from .sources.walk import Repository

            if not self.opts.repo.is_dir():
                raise DbauditUsageError(f"--dbaudit-repo {self.opts.repo}: not a directory")
            self._repo = Repository(self.opts.repo)
        return self._repo

    def live(self, target: Target):
        """The LiveDatabase for a target, or raise TargetUnavailable (remembered: one attempt)."""
        if target.label not in self._live:
            from .live import connect

            try:
                self._live[target.label] = connect(target, self.cfg.live)
            except TargetUnavailable as exc:
                self._live[target.label] = exc
        value = self._live[target.label]
        if isinstance(value, TargetUnavailable):
            raise value
        return value

    def throwaway(self):
        if self._throwaway is None:
            from .throwaway import ThrowawayProvider

            live = {t.engine: t.url for t in self.live_targets if t.engine in ("postgresql", "mysql") and t.url}
            self._throwaway = ThrowawayProvider(self.cfg.throwaway, use_containers=self.opts.containers,
                                                live_servers=live, destructive=self.opts.allow_destructive)
        return self._throwaway

    def shared(self, key: Any, build):
        """``build()``, once per run (per xdist worker) for ``key``: what several items judge, built once
        (e.g. the schema the migrations build on a drill engine)."""
        if key not in self._shared:
            self._shared[key] = build()
        return self._shared[key]

    def repo_models(self) -> dict:
        """Stack and inventory for the reports, built here if no check did (e.g. on an xdist controller)."""
        if not self.opts.repo.is_dir():
            return {"stack": None, "inventory": None, "migrations": None}
        from .sources.inventory import inventory_of
        from .sources.migrations import migrations_of
        from .sources.stack import stack_of

        repo = self.repository()
        return {"stack": stack_of(repo).to_dict(), "inventory": inventory_of(repo).to_dict(),
                "migrations": migrations_of(repo).to_dict()}

    def close(self) -> None:
        for value in self._live.values():
            if not isinstance(value, Exception):
                value.close()
        if self._throwaway is not None:
            self._throwaway.close()

    # -- planning --------------------------------------------------------------------------------
    def effective_drill_engines(self) -> list[str]:
        return self.drill_engines or ["postgresql"]

    def plan(self) -> list[Planned]:
        out: list[Planned] = []
        for item in self.catalog.items.values():
            modes = [m for m in item.modes if m != "attest" and (implementation(item.id, m) or (m == "live" and item.sql))]
            if not modes:
                out.append(Planned(item, "attest", ATTEST))
                continue
            for mode in modes:
                if mode == "static":
                    out.append(Planned(item, mode, REPO))
                elif mode == "live":
                    for t in self.live_targets or [NO_LIVE]:
                        out.append(Planned(item, mode, t))
                elif mode == "drill":
                    for engine in self.effective_drill_engines():
                        out.append(Planned(item, mode, drill_target(engine)))
        return out

    # -- running ---------------------------------------------------------------------------------
    def run(self, item: CheckItem, mode: str, target: Target) -> tuple[Result, list[str]]:
        """Run one check; returns the result and the SQL it ran. Unexpected exceptions propagate."""
        if mode == "attest":
            return self.attest(item), []
        ctx = CheckContext(item, target, self)
        queries: list[str] = []
        try:
            subject = self._subject(item, mode, target)
            before = len(getattr(subject, "queries", []))
            fn = implementation(item.id, mode)
            value = fn(subject, ctx) if fn else _declarative_sql(item, subject, ctx)
            queries = list(getattr(subject, "queries", [])[before:])
        except NotApplicable as exc:
            return Result(Outcome.NOT_APPLICABLE, redact(str(exc)), evidence=ctx.evidence), queries
        except Undecided as exc:
            return self._attested_instead(item, redact(str(exc)), ctx.evidence), queries
        except TargetUnavailable as exc:
            return Result(Outcome.UNKNOWN, f"target unavailable: {redact(str(exc))}", evidence=ctx.evidence), queries
        if isinstance(value, Result):
            result = value
            result.evidence = ctx.evidence + result.evidence
        else:
            findings = list(value or [])
            result = Result(Outcome.FAIL if findings else Outcome.PASS, findings=findings, evidence=ctx.evidence)
        return self._redacted(result), queries

    def _redacted(self, result: Result) -> Result:
        for f in result.findings:
            f.message = redact(f.message)
            f.location = redact(f.location)
            for attr in ("observed", "expected"):
                v = getattr(f, attr)
                if isinstance(v, str):
                    setattr(f, attr, redact(v))
        return result

    def _subject(self, item: CheckItem, mode: str, target: Target):
        if mode == "static":
            repo = self.repository()
            from .sources.stack import stack_of

            if not stack_of(repo).db_signal:
                raise NotApplicable(
                    "no database signal in the repository: no models/, migrations/, db/ or prisma/ paths, "
                    "no SQL files, no database drivers, ORMs or migration tools in manifests"
                )
            return repo
        if mode == "live":
            if target is NO_LIVE:
                raise Undecided("no live database was given: run with --dbaudit-db URL (or targets in the config) to decide")
            db = self.live(target)
            if item.applies_to and db.flavor not in item.applies_to and db.dialect not in item.applies_to:
                raise NotApplicable(f"applies to {', '.join(item.applies_to)}, not {db.flavor}")
            return db
        if mode == "drill":
            from .drills import DrillSubject

            return DrillSubject(engine=target.engine or "", audit=self)
        raise ValueError(f"unknown mode {mode}")

    def _attested_instead(self, item: CheckItem, why: str, evidence: list[str]) -> Result:
        """A program that cannot decide leaves the item to a current attestation, if there is one.

        Only for "could not decide" (not for a target that was unreachable, and never over a
        program's pass or fail); the report says the attestation decided it and why.
        """
        if item.id in self.cfg.attestations:
            attested = self.attest(item)
            if attested.outcome is Outcome.PASS:
                attested.evidence = evidence + [f"the program could not decide ({why}); "
                                                f"decided by attestation"] + attested.evidence
                return attested
        return Result(Outcome.UNKNOWN, why, evidence=evidence)

    def attest(self, item: CheckItem) -> Result:
        att = self.cfg.attestations.get(item.id)
        if att is None:
            return Result(Outcome.NOT_DEMONSTRATED,
                          "no program decides this item yet and no attestation was recorded in the audit config")
        age = (dt.date.today() - att.date).days
        said = f"attested by {att.by} on {att.date}: {att.statement} (evidence: {att.evidence})"
        if age > self.cfg.attestation_max_age_days:
            return Result(Outcome.NOT_DEMONSTRATED,
                          f"attestation is stale: {age} days old, the limit is {self.cfg.attestation_max_age_days}; {said}")
        if "://" not in att.evidence:
            evidence_path = (self.opts.repo / att.evidence.split("#", 1)[0])
            if not evidence_path.exists():
                return Result(Outcome.NOT_DEMONSTRATED, f"evidence {att.evidence} does not exist in the repository; {said}")
        return Result(Outcome.PASS, evidence=[redact(said)])

    def apply_waiver(self, item: CheckItem, target: Target, result: Result) -> tuple[Result, int | None]:
        """A failing result covered by a waiver is waived; an expired waiver keeps it failing."""
        for index, w in enumerate(self.cfg.waivers):
            if not w.matches(item.id, target.label):
                continue
            if result.outcome is not Outcome.FAIL:
                return result, None  # a waiver on a passing item is reported as unused
            who = f" (owner {w.owner})" if w.owner else ""
            if dt.date.today() > w.expires:
                result.reason = f"waiver expired on {w.expires}: {w.reason}{who}"
                return result, index
            return Result(Outcome.WAIVED, f"waived until {w.expires}: {w.reason}{who}", result.findings, result.evidence,
                          parts=result.parts), index
        return result, None


def _declarative_sql(item: CheckItem, db, ctx: CheckContext) -> list[Finding]:
    """A catalog item implemented as SQL: each row returned is one violation."""
    query = item.sql.get(db.flavor) or item.sql.get(db.dialect)
    if not query:
        raise NotApplicable(f"the catalog has no query for {db.flavor}")
    findings = []
    for row in db.rows(query):
        obj = str(row.pop("object", "") or "")
        detail = ", ".join(f"{k}={v}" for k, v in row.items())
        findings.append(Finding(message=f"{obj} {detail}".strip(), location=obj))
    ctx.note(f"query returned {len(findings)} violating row(s)")
    return findings
