"""The schema the repository's migrations build: the drill-mode source of the schema checks.

Each history runs on its own throwaway database: Alembic histories are upgraded to their heads by the
project's env.py (in a child process, as MG-09 does), SQL-file histories (Prisma Migrate, Flyway,
golang-migrate, dbmate, goose, numbered files) have their up scripts applied in order. The database is
then reflected with the live audit's bulk catalog queries, read-only, and dropped. Built once per drill
engine per run and shared by every schema item (``Audit.shared``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..redact import redact
from .model import Schema


@dataclass
class Migrated:
    schemas: list[Schema] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # histories that could not be built, and why
    notes: list[str] = field(default_factory=list)


def migrated_schemas(drill) -> Migrated:
    """The schemas of ``drill.engine`` databases built by the repository's migrations (memoized per engine)."""
    return drill.audit.shared(("migrated-schemas", drill.engine), lambda: _build(drill))


def _build(drill) -> Migrated:
    from ..drills.sql_drill import _compatible
    from ..sources.migrations import migrations_of
    from .readers.ddl import sql_histories

    out = Migrated()
    repo = drill.repo
    for rel, ini in _alembic(repo):
        _alembic_schema(drill, rel, ini, out)
    for h in sql_histories(migrations_of(repo).histories):
        if not _compatible(h.dialect or "", drill.engine):
            out.notes.append(f"{h.label}: written for {h.dialect}, not built on {drill.engine}")
            continue
        _sql_schema(drill, h, out)
    return out


def _alembic(repo):
    from ..rules.migrations import alembic_configs

    return alembic_configs(repo)


def _alembic_schema(drill, rel: str, ini, out: Migrated) -> None:
    from ..drills.alembic_drift import MARKER
    from ..rules.migrations import _child, _ini_problem

    problem = _ini_problem(ini)
    if problem:
        out.problems.append(f"{rel}: {problem}")
        return
    db = drill.fresh_database()
    try:
        result = _child("pytest_dbaudit.drills.alembic_drift", MARKER,
                        {"ini": str(ini), "url": db.url, "compare": False}, ini, db.url, drill.audit.cfg.alembic)
        if result.get("error"):
            out.problems.append(f"{rel}: {redact(result['error'])}")
            return
        _reflect_into(drill, db, f"migrated {rel} on {drill.engine}", out)
    finally:
        drill.release(db)


def _sql_schema(drill, h, out: Migrated) -> None:
    from ..drills.sql_drill import _Db, error_text
    from ..drills.sql_split import split_statements

    db = drill.fresh_database()
    failed = None
    try:
        conn = _Db(drill.engine, db.url, lambda: None, drill.audit.cfg.alembic.get("timeout_s", 300))
        try:
            for r in h.ordered():
                for stmt in split_statements(r.up_sql or "", drill.engine):
                    try:
                        conn.execute(stmt)
                    except Exception as exc:
                        failed = f"{r.file}: the upgrade failed: {error_text(exc, stmt)}"
                        break
                if failed:
                    break
        finally:
            conn.close()
        schema = _reflect_into(drill, db, f"migrated {h.label} on {drill.engine}", out)
        if failed and schema is not None:  # judged as far as it got, and said to be incomplete
            schema.complete = False
            schema.problems.append(redact(failed))
    finally:
        drill.release(db)


def _reflect_into(drill, db, source: str, out: Migrated) -> Schema | None:
    from ..live import connect
    from ..outcomes import TargetUnavailable
    from ..targets import Target
    from .reflect import reflect

    engine = "mysql" if drill.engine in ("mysql", "mariadb") else drill.engine
    try:
        live = connect(Target("live", source, url=db.url, engine=engine), drill.audit.cfg.live)
    except TargetUnavailable as exc:
        out.problems.append(f"{source}: {exc}")
        return None
    try:
        schema = reflect(live)
    except Exception as exc:  # a catalog read that fails leaves this source undecided, not the run
        out.problems.append(f"{source}: reading the schema failed: {redact(str(exc).splitlines()[0][:300])}")
        return None
    finally:
        live.engine.dispose()
    schema.source = source
    out.schemas.append(schema)
    return schema
