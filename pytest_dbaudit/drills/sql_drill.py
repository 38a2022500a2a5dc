"""The raw-SQL round trip: golang-migrate, Flyway (with ``U`` undo scripts), dbmate and goose histories.

The histories come from the static model (``sources.migrations``): each revision's ``up_sql`` and
``down_sql``. On a fresh throwaway database, for each revision in order:

    fingerprint -> [seed rows] -> up -> fingerprint -> down -> compare with the fingerprint before
    the up -> up again -> compare with the fingerprint after the first up -> next revision

Statements run one at a time (``sql_split``), in autocommit, as the tools run them outside a
transaction (``CREATE INDEX CONCURRENTLY`` works; a file's own ``BEGIN``/``COMMIT`` is honoured).

* An upgrade that fails ends the walk: later revisions build on it.
* A downgrade that fails, or leaves the schema different, is reported; the walk goes on from a new
  database rebuilt up to that revision, so one run reports every bad downgrade.
* A revision with no down script (or an empty one) is reported as irreversible; its upgrade stays
  applied and the walk goes on.
* In seeded mode, a failure with an SQL error is replayed without rows on another fresh database;
  when it passes there, the failure is marked as data-dependent ("fails on a table with rows").
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..redact import redact
from .schema_fingerprint import diff, fingerprint
from .seed import Seeder
from .sql_split import split_statements

SQL_TOOLS = ("golang-migrate", "Flyway", "dbmate", "goose")
def error_text(exc: BaseException, statement: str | None = None) -> str:
    """One line: the driver's error class and first line, and the statement that failed."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip() or type(orig).__name__
    line = f"{type(orig).__name__}: {text.splitlines()[0][:400]}"
    if statement:
        line += f" [SQL: {' '.join(statement.split())[:400]}]"
    return redact(line)


def drillable(histories: list) -> tuple[list, list[str]]:
    """(histories this drill runs, notes about the SQL-file histories it leaves out and why)."""
    run, notes = [], []
    for h in histories:
        if h.tool not in SQL_TOOLS:
            continue
        if not h.has_down_migrations:
            notes.append(f"{h.label}: no undo scripts ({h.revisions[0].down_detail if h.revisions else 'empty'}): "
                         "no round trip to drill")
            continue
        if not h.revisions:
            continue
        run.append(h)
    return run, notes


@dataclass
class Failure:
    phase: str  # upgrade | downgrade | re-upgrade | rebuild
    revision: str
    file: str
    error: str = ""
    diff: list[str] = field(default_factory=list)
    data_only: bool = False  # seeded mode: passes on empty tables


@dataclass
class HistoryResult:
    failures: list[Failure] = field(default_factory=list)
    irreversible: list[Any] = field(default_factory=list)  # Revisions without a way back
    steps: list[str] = field(default_factory=list)
    seed: str = ""


class _Stop(Exception):
    """The timeout passed."""


class SqlHistoryDrill:
    """One history on one engine. ``fresh()`` returns ``(url, release)`` for a new empty database."""

    def __init__(self, history, engine: str, fresh: Callable[[], tuple[str, Callable[[], None]]], *,
                 seed_rows: int = 0, progress: Callable[[int, int, str], None] | None = None,
                 timeout_s: float = 300):
        self.history = history
        self.engine = engine
        self.fresh = fresh
        self.seed_rows = seed_rows
        self.progress = progress or (lambda n, total, rid: None)
        self.timeout_s = timeout_s
        self.deadline = 0.0
        self.revisions = history.ordered()
        self._statements: dict[tuple[str, str], list[str]] = {}

    # -- public ----------------------------------------------------------------------------------
    def run(self) -> HistoryResult:
        result = HistoryResult()
        self.deadline = time.monotonic() + self.timeout_s
        seeder = Seeder(self.seed_rows) if self.seed_rows > 0 else None
        total = len(self.revisions)
        start = rebuilt = 0
        db = _Db(self.engine, *self.fresh(), self.timeout_s)
        try:
            while start < total:
                failure, start = self._walk(db, start, seeder, result)
                if failure is None:
                    break
                if seeder is not None and failure.error and failure.phase != "rebuild":
                    failure.data_only = self._passes_without_rows(failure)
                result.failures.append(failure)
                if failure.phase in ("upgrade", "rebuild") or start >= total:
                    break
                # the downgrade failed or changed the schema: rebuild up to that revision and go on
                db.close()
                db = _Db(self.engine, *self.fresh(), self.timeout_s)
                rebuilt += 1
                broken = self._rebuild(db, start, seeder)
                if broken is not None:
                    result.failures.append(broken)
                    break
        except _Stop:
            result.failures.append(Failure("drill", "", self.history.root,
                                           error=f"timed out after {self.timeout_s:g} s"))
        finally:
            db.close()
        undone = total - len(result.irreversible)
        if not result.failures:
            result.steps.append(f"up, down, up again for each of {total} revision(s): same schema after each down "
                                f"({undone} undone, {len(result.irreversible)} irreversible)")
        else:
            again = f"; {rebuilt} database(s) rebuilt to go on after a failed downgrade" if rebuilt else ""
            result.steps.append(f"up, down, up again revision by revision: {len(result.failures)} failure(s){again}")
        if seeder is not None:
            result.seed = seeder.summary()
        return result

    # -- the walk --------------------------------------------------------------------------------
    def _walk(self, db: "_Db", start: int, seeder: Seeder | None, result: HistoryResult,
              stop_at: tuple[int, str] | None = None) -> tuple[Failure | None, int]:
        """Revisions from index ``start``; returns (the first failure or None, the next index)."""
        before = db.fingerprint()
        total = len(self.revisions)
        for index in range(start, total):
            r = self.revisions[index]
            if stop_at is None:
                self.progress(index + 1, total, r.id)
            if r.up_sql is None:
                return Failure("upgrade", r.id, r.file, error="the upgrade file could not be read"), index + 1
            if seeder is not None:
                seeder.seed(db.sa)
            error = self._apply(db, r, "up")
            if error:
                return Failure("upgrade", r.id, r.file, error=error), index + 1
            if stop_at == (index, "upgrade"):
                return None, index + 1
            if not _has_down(r):
                if stop_at is None:
                    result.irreversible.append(r)
                before = db.fingerprint()
                continue
            after_up = db.fingerprint()
            error = self._apply(db, r, "down")
            if error:
                return Failure("downgrade", r.id, r.down_file or r.file, error=error), index + 1
            changed = diff(before, db.fingerprint())
            if changed:
                return Failure("downgrade", r.id, r.down_file or r.file, diff=changed), index + 1
            if stop_at == (index, "downgrade"):
                return None, index + 1
            error = self._apply(db, r, "up")
            if error:
                return Failure("re-upgrade", r.id, r.file, error=error), index + 1
            again = db.fingerprint()
            changed = diff(after_up, again)
            if changed:
                return Failure("re-upgrade", r.id, r.file, diff=changed), index + 1
            if stop_at == (index, "re-upgrade"):
                return None, index + 1
            before = again
        return None, total

    def upgrade_all(self, url: str) -> tuple[object, str] | None:
        """Every revision's up script on the database at ``url``, as the tool would apply them (the schema
        source of schema/migrated.py): None, or (revision, error) for the one that failed; (None, why) when
        the history was not applied within ``timeout_s``."""
        self.deadline = time.monotonic() + self.timeout_s
        db = _Db(self.engine, url, lambda: None, self.timeout_s)
        try:
            return self._upgrade(db, len(self.revisions), None)
        except _Stop:
            return None, f"not applied within {self.timeout_s:g} s"
        finally:
            db.close()

    def _rebuild(self, db: "_Db", upto: int, seeder: Seeder | None) -> Failure | None:
        """Upgrades of revisions [0, upto) on a new database (rows seeded as in the walk)."""
        failed = self._upgrade(db, upto, seeder)
        if failed is None:
            return None
        r, error = failed
        return Failure("rebuild", r.id, r.file, error=f"the upgrade failed while rebuilding: {error}")

    def _upgrade(self, db: "_Db", upto: int, seeder: Seeder | None) -> tuple[object, str] | None:
        for r in self.revisions[:upto]:
            if seeder is not None:
                seeder.seed(db.sa)
            error = self._apply(db, r, "up")
            if error:
                return r, error
        return None

    def _passes_without_rows(self, failure: Failure) -> bool:
        """Replay up to the failed step on a new, never seeded database: does that step pass there?"""
        index = next(i for i, r in enumerate(self.revisions) if r.id == failure.revision)
        db = _Db(self.engine, *self.fresh(), self.timeout_s)
        try:
            replay, _ = self._walk(db, 0, None, HistoryResult(), stop_at=(index, failure.phase))
        finally:
            db.close()
        return replay is None

    def _statements_of(self, r, way: str) -> list[str]:
        key = (r.id, way)
        if key not in self._statements:
            self._statements[key] = split_statements((r.up_sql if way == "up" else r.down_sql) or "", self.engine)
        return self._statements[key]

    def _apply(self, db: "_Db", r, way: str) -> str:
        """Run a revision's up or down statements; the error line, or "" on success."""
        for stmt in self._statements_of(r, way):
            if time.monotonic() > self.deadline:
                raise _Stop()
            try:
                db.execute(stmt)
            except Exception as exc:
                return error_text(exc, stmt)
        return ""


def _has_down(r) -> bool:
    from ..sources.migrations import Down

    return r.down is Down.OK and bool(r.down_sql and r.down_sql.strip())


class _Db:
    """One throwaway database: an engine for reflection and seeding, one autocommit connection for the SQL."""

    def __init__(self, engine: str, url: str, release: Callable[[], None], timeout_s: float):
        import sqlalchemy as sa
        from sqlalchemy.pool import NullPool

        from ..targets import driver_url

        self.release = release
        self.sa = sa.create_engine(driver_url(url), poolclass=NullPool)
        self._conn = self.sa.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._raw = self._conn.connection.dbapi_connection
        self._memo: dict = {}  # what fingerprints learn about this database's types
        # one statement may not outlive the drill (a migration that waits or loops forever)
        if engine == "postgresql":
            self.execute(f"SET statement_timeout = {int(timeout_s * 1000)}")
        elif engine == "mariadb":
            self.execute(f"SET SESSION max_statement_time = {float(timeout_s)}")

    def fingerprint(self) -> dict:
        """The schema now, read on the drill's own autocommit connection (it holds no transaction)."""
        return fingerprint(self._conn, self._memo)

    def execute(self, statement: str) -> None:
        cur = self._raw.cursor()
        try:
            cur.execute(statement)
            if cur.description is not None:
                cur.fetchall()
        finally:
            cur.close()

    def close(self) -> None:
        try:
            self._conn.close()
        except Exception:
            pass
        self.sa.dispose()
        self.release()


def compatible(dialect: str, engine: str) -> bool:
    """A history written for ``dialect`` ("" when it does not say) can run on ``engine``."""
    dialect = dialect.lower()
    return not dialect or dialect == engine or (dialect in ("mysql", "mariadb") and engine in ("mysql", "mariadb")) \
        or (dialect == "postgres" and engine == "postgresql")


def round_trips(drill, ctx, histories: list, progress, options: dict) -> list:
    """Findings of the SQL round trip of each history on ``drill.engine`` (see the module docstring)."""
    from ..outcomes import Finding

    findings = []
    for h in histories:
        if not compatible(h.dialect, drill.engine):
            ctx.note(f"{h.label}: written for {h.dialect}, not drilled on {drill.engine}")
            continue
        sources: list[str] = []

        def fresh() -> tuple[str, Callable[[], None]]:
            db = drill.fresh_database()  # NotApplicable when no server: the item says why
            if db.source not in sources:
                sources.append(db.source)
            return db.url, lambda: drill.release(db)

        progress.context = f" - {h.label} on {drill.engine}"
        result = SqlHistoryDrill(h, drill.engine, fresh, seed_rows=options.get("seed_rows", 0), progress=progress,
                                 timeout_s=options.get("timeout_s", 300)).run()
        ctx.note(f"{h.label}: {len(h.revisions)} revision(s) on throwaway database(s) from {', '.join(sources)}")
        for step in result.steps:
            ctx.note(f"{h.label}: {step}")
        if result.seed:
            ctx.note(f"{h.label}: {result.seed}")
        for r in result.irreversible:
            findings.append(Finding(
                f"{h.tool} revision {r.id} is irreversible ({r.down_detail or 'no down script'}): the drill left its "
                "upgrade applied and went on", location=r.file, observed="irreversible",
                expected="a down script that undoes the upgrade"))
        for f in result.failures:
            if f.phase == "drill":
                findings.append(Finding(f"{h.label}: the round trip on {drill.engine} {f.error}", location=f.file))
                continue
            detail = f.error or "; ".join(f.diff[:10])
            if f.data_only:
                detail = f"fails on a table with rows (passes on empty tables): {detail}"
            findings.append(Finding(f"{h.tool} {f.phase} of revision {f.revision} failed on {drill.engine}: {detail}",
                                    location=f.file, observed=f.diff or None))
    return findings
