"""The schema the repository's migrations build: the drill-mode source of the schema checks.

Each history runs on its own throwaway database: Alembic histories are upgraded to their heads by the
project's env.py (in a child process, as MG-09 does), SQL-file histories (Prisma Migrate, Flyway,
golang-migrate, dbmate, goose, numbered files) have their up scripts applied in order. The database is
then reflected with the live audit's bulk catalog queries, read-only, and dropped. Built once per drill
engine per run and shared by every schema item (``Audit.shared``).

Only a complete build is judged: a history whose upgrade fails (or that builds no table) is a problem
that leaves the items unknown, since a half-built schema lacks what the failed file would have made
(its indexes, keys) and would give findings the migrations do not deserve.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..outcomes import NotApplicable
from ..redact import redact
from .model import Schema


@dataclass
class Migrated:
    schemas: list[Schema] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # histories that could not be built, and why
    notes: list[str] = field(default_factory=list)
    unavailable: NotApplicable | None = None  # no throwaway database for this engine


def migrated_schemas(drill) -> Migrated:
    """The schemas of ``drill.engine`` databases built by the repository's migrations (memoized per engine)."""
    built = drill.audit.shared(("migrated-schemas", drill.engine), lambda: _build(drill))
    if built.unavailable is not None:
        raise built.unavailable
    return built


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return redact(text.splitlines()[0][:300]) if text else type(exc).__name__


def _build(drill) -> Migrated:
    from ..drills.alembic_env import alembic_configs
    from ..drills.sql_drill import compatible
    from ..sources.migrations import migrations_of
    from .readers.ddl import sql_histories

    out = Migrated()
    repo = drill.repo
    jobs = [(rel, lambda rel=rel, ini=ini: _alembic_schema(drill, rel, ini, out)) for rel, ini in alembic_configs(repo)]
    for h in sql_histories(migrations_of(repo).histories):
        if not compatible(h.dialect or "", drill.engine):
            out.notes.append(f"{h.label}: written for {h.dialect}, not built on {drill.engine}")
            continue
        jobs.append((h.label, lambda h=h: _sql_schema(drill, h, out)))
    for label, job in jobs:
        try:
            job()
        except NotApplicable as exc:  # no server for this engine: every history would say the same
            out.unavailable = exc
            return out
        except Exception as exc:  # one history that cannot be built leaves the others judged
            out.problems.append(f"{label}: could not be built on {drill.engine}: {type(exc).__name__}: "
                                f"{_first_line(exc)}")
    return out


def _alembic_schema(drill, rel: str, ini, out: Migrated) -> None:
    from ..drills.alembic_drift import MARKER
    from ..drills.alembic_env import ini_problem, run_module

    problem = ini_problem(ini)
    if problem:
        out.problems.append(f"{rel}: {problem}")
        return
    db = drill.fresh_database()
    try:
        result = run_module("pytest_dbaudit.drills.alembic_drift", MARKER,
                            {"ini": str(ini), "url": db.url, "compare": False}, ini, db.url, drill.audit.cfg.alembic)
        if result.get("error"):
            out.problems.append(f"{rel}: {redact(result['error'])}")
            return
        _reflect_into(drill, db, f"migrated {rel} on {drill.engine}", out)
    finally:
        drill.release(db)


def _sql_schema(drill, h, out: Migrated) -> None:
    from ..drills.sql_drill import SqlHistoryDrill

    unreadable = next((r for r in h.ordered() if r.up_sql is None), None)
    if unreadable is not None:  # not "nothing to run": the build would lack what that file makes
        out.problems.append(f"{unreadable.file}: could not be read, so {h.label} was not built")
        return
    timeout_s = float(drill.audit.cfg.drills.get("timeout_s", 300))
    db = drill.fresh_database()
    try:
        failed = SqlHistoryDrill(h, drill.engine, lambda: (db.url, lambda: None), timeout_s=timeout_s) \
            .upgrade_all(db.url)
        if failed is None:
            _reflect_into(drill, db, f"migrated {h.label} on {drill.engine}", out)
        elif failed[0] is None:
            out.problems.append(f"{h.label}: not built within drills.timeout_s ({timeout_s:g} s)")
        else:
            out.problems.append(f"{failed[0].file}: the upgrade failed: {failed[1]}")  # error_text() redacted it
    finally:
        drill.release(db)


def _reflect_into(drill, db, source: str, out: Migrated) -> None:
    from ..live import connect
    from ..outcomes import TargetUnavailable
    from ..targets import Target
    from .reflect import reflect

    engine = "mysql" if drill.engine in ("mysql", "mariadb") else drill.engine
    try:
        live = connect(Target("live", source, url=db.url, engine=engine), drill.audit.cfg.live)
    except TargetUnavailable as exc:
        out.problems.append(f"{source}: {exc}")
        return
    try:
        schema = reflect(live)
    except Exception as exc:  # a catalog read that fails leaves this source undecided, not the run
        out.problems.append(f"{source}: reading the schema failed: {_first_line(exc)}")
        return
    finally:
        live.engine.dispose()
    if not schema.tables:  # e.g. an env.py that ignored the drill's URL and migrated another database
        out.problems.append(f"{source}: the migrations built no table in the drill database")
        return
    schema.source = source
    out.schemas.append(schema)
