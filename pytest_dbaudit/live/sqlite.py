"""SQLite live probes (no anchor tool covers SQLite; every item here is new).

What matters is what the file records: PRAGMA foreign_keys and synchronous are per connection, so
the audit's own connection says nothing about the application's; the file does record the journal
mode (WAL persists), the freelist, sqlite_stat1, user_version and the version of the library that
last wrote it.
"""

from __future__ import annotations

from ..outcomes import Finding, NotApplicable, Undecided
from .probe import probe

LITE = "sqlite"
_USER_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(db) -> list[str]:
    return db.memo("lite_tables", lambda d: [r["name"] for r in d.rows(_USER_TABLES)])


def _pragma(db, name: str):
    return db.scalar(f"PRAGMA {name}")


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in str(text).split(".")[:3] if x.isdigit())


@probe("CF-04", "lite.integrity", "The database file is not corrupt (quick_check; integrity_check when expensive checks "
       "are on)", engines=LITE, thresholds={"sqlite_integrity_max_errors": 100},
       fix="Restore the newest good backup or salvage with `sqlite3 bad.db .recover | sqlite3 new.db`; a backup of a "
           "corrupt file restores the corruption, so check integrity before trusting backups.")
def integrity(db, p):
    """quick_check verifies every page's b-tree structure, NOT NULL and CHECK constraints in O(N);
    integrity_check also verifies that every index matches its table (slower: opt in with live.expensive)."""
    pragma = "integrity_check" if p.expensive_allowed else "quick_check"
    limit = int(p.threshold("sqlite_integrity_max_errors"))
    try:
        rows = [next(iter(r.values())) for r in db.rows(f"PRAGMA {pragma}({limit})")]
    except Exception as exc:  # damage that stops the check itself is the answer, not an error of the audit
        if not any(k in str(exc).lower() for k in ("malformed", "not a database", "corrupt")):
            raise
        line = str(getattr(exc, "orig", exc)).splitlines()[0]
        return [Finding(f"PRAGMA {pragma} could not finish: {line}", observed=line, expected="ok", severity="Critical")]
    p.note(f"PRAGMA {pragma}: " + ("ok" if rows == ["ok"] else f"{len(rows)} problem(s)")
           + ("" if p.expensive_allowed else " (index contents are verified by integrity_check with live.expensive = true)"))
    if _version(db.version) >= (3, 37):  # pragma_table_list and STRICT tables
        tl = db.rows("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' "
                     "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
        p.note(f"{sum(1 for r in tl if r['strict'])} of {len(tl)} table(s) are STRICT (declared types enforced)")
    if rows == ["ok"]:
        return []
    return [Finding(f"PRAGMA {pragma} reports: {msg}", observed=msg, expected="ok", severity="Critical")
            for msg in rows[:limit]]


@probe("SD-04", "lite.foreign-key-check", "No row violates a declared foreign key (PRAGMA foreign_key_check)",
       engines=LITE,
       fix="Delete or repair the orphan rows, then make every connection run `PRAGMA foreign_keys = ON` (the "
           "setting is per connection and off by default).")
def foreign_key_check(db, p):
    """PRAGMA foreign_keys is per connection and not stored in the file: what the file can show is
    whether rows already violate the declared keys, which proves some writer ran without it."""
    fks = db.scalar("SELECT count(DISTINCT m.name || '/' || f.id) FROM sqlite_master m, pragma_foreign_key_list(m.name) f "
                    "WHERE m.type = 'table'")
    if not fks:
        raise NotApplicable("no foreign keys are declared in this file")
    rows = db.rows('SELECT "table" AS child, parent, count(*) AS n FROM pragma_foreign_key_check GROUP BY 1, 2 '
                   "ORDER BY 1, 2")
    p.note(f"{fks} foreign key(s) declared; PRAGMA foreign_keys is per connection and not stored in the file, "
           "so what is checked is whether rows already violate them")
    return [Finding(f"{r['n']} row(s) of {r['child']} reference missing rows of {r['parent']}",
                    location=f"{db.target.label} {r['child']}", observed=f"{r['n']} orphan row(s)",
                    expected="no foreign_key_check rows", severity="High") for r in rows]


@probe("PF-12", "lite.journal-mode", "The file uses WAL, so readers do not block the writer",
       engines=LITE, thresholds={"sqlite_require_wal": True},
       fix="PRAGMA journal_mode = WAL; (persistent in the file) and set a busy_timeout in every connection.")
def journal_mode(db, p):
    """With a rollback journal a writer locks out readers (SQLITE_BUSY under concurrency); WAL is stored in
    the file header, so the file tells the truth for every connection."""
    mode = str(_pragma(db, "journal_mode")).lower()
    p.note(f"journal_mode = {mode}")
    if mode == "wal" or not p.threshold("sqlite_require_wal"):
        return []
    return [Finding(f"journal_mode is {mode}: readers and the writer block each other", observed=mode,
                    expected="wal", severity="Medium")]


@probe("CF-04", "lite.synchronous", "Connections use synchronous >= NORMAL in WAL mode (FULL otherwise)",
       engines=LITE,
       fix="Run `PRAGMA synchronous = NORMAL` (WAL) or `FULL` (rollback journal) in every connection; never OFF.")
def synchronous(db, p):
    """synchronous is per connection and not stored in the file; the audit's own value is only this
    library's default, not the application's, so this probe can only say so."""
    mode = str(_pragma(db, "journal_mode")).lower()
    default = _pragma(db, "synchronous")
    names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    need = "NORMAL" if mode == "wal" else "FULL"
    p.note(f"journal_mode = {mode}; the audit's SQLite library defaults to synchronous = {names.get(default, default)}")
    raise Undecided(f"PRAGMA synchronous is set per connection by the application and is not recorded in the file; "
                    f"it should be {need} or higher with journal_mode = {mode}: attest the application's setting")


@probe("MO-08", "lite.freelist", "Free pages stay a small share of the file (VACUUM when they do not)",
       engines=LITE, thresholds={"sqlite_freelist_max_ratio": 0.2, "sqlite_freelist_min_pages": 256},
       fix="VACUUM (rewrites the file: needs free disk space of the file's size and an exclusive lock), or "
           "PRAGMA auto_vacuum = INCREMENTAL + VACUUM once, then PRAGMA incremental_vacuum periodically.")
def freelist(db, p):
    free = int(_pragma(db, "freelist_count") or 0)
    pages = int(_pragma(db, "page_count") or 0)
    size = int(_pragma(db, "page_size") or 0)
    auto = {0: "none", 1: "full", 2: "incremental"}.get(_pragma(db, "auto_vacuum"), "?")
    ratio = free / pages if pages else 0.0
    p.note(f"page_size = {size}, page_count = {pages} ({pages * size / 1048576:.1f} MiB), freelist_count = {free} "
           f"({ratio:.0%}), auto_vacuum = {auto}")
    limit = float(p.threshold("sqlite_freelist_max_ratio"))
    if ratio > limit and free >= int(p.threshold("sqlite_freelist_min_pages")):
        return [Finding(f"{free} of {pages} pages ({ratio:.0%}) are free", observed=f"{ratio:.0%} free pages",
                        expected=f"<= {limit:.0%}", severity="Low")]
    return []


@probe("PF-07", "lite.analyze-stats", "ANALYZE has run: sqlite_stat1 exists for the indexed tables",
       engines=LITE,
       fix="Run `PRAGMA optimize` before closing long-lived connections (or ANALYZE after bulk loads).")
def analyze_stats(db, p):
    """Without sqlite_stat1 the planner guesses index selectivity; PRAGMA optimize keeps it current cheaply."""
    indexed = [r["name"] for r in db.rows(
        "SELECT DISTINCT tbl_name AS name FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1")]
    if not indexed:
        raise NotApplicable("no table has an index: planner statistics would change nothing")
    has_stat = bool(db.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"))
    if not has_stat:
        return [Finding(f"ANALYZE has never run: no sqlite_stat1 for {len(indexed)} indexed table(s)",
                        observed="no sqlite_stat1", expected="sqlite_stat1 (PRAGMA optimize / ANALYZE)", severity="Low")]
    covered = {r["tbl"] for r in db.rows("SELECT DISTINCT tbl FROM sqlite_stat1")}
    missing = [t for t in indexed if t not in covered]
    p.note(f"sqlite_stat1 covers {len(indexed) - len(missing)} of {len(indexed)} indexed table(s)"
           + (f"; not covered (empty when analysed, or added since): {', '.join(missing[:10])}" if missing else ""))
    return []


@probe("TV-02", "lite.writer-version", "The library that last wrote the file is at least the configured minimum",
       engines=LITE, thresholds={"sqlite_min_version": "3.39.2"},
       fix="Upgrade the SQLite library the application links (or the language runtime bundling it).")
def writer_version(db, p):
    """The file header (offset 96) records the SQLITE_VERSION_NUMBER of the last library that wrote it:
    the application's library, which sqlite_version() (the audit's own library) is not. The 100-byte
    header is read from the file the connection already has open read-only. The default minimum
    3.39.2 fixes CVE-2022-35737."""
    path = db.scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
    if not path:
        raise NotApplicable("not a file-backed database")
    with open(path, "rb") as fh:
        header = fh.read(100)
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        raise Undecided("the file header could not be read")
    number = int.from_bytes(header[96:100], "big")
    written = (number // 1000000, number // 1000 % 1000, number % 1000)
    minimum = _version(p.threshold("sqlite_min_version"))
    shown = ".".join(map(str, written))
    p.note(f"last written by SQLite {shown}; the audit's library is {db.version}")
    if written < minimum:
        return [Finding(f"the file was last written by SQLite {shown}, older than {p.threshold('sqlite_min_version')}",
                        observed=shown, expected=f">= {p.threshold('sqlite_min_version')}", severity="Medium")]
    return []


_LEDGERS = ("alembic_version", "django_migrations", "schema_migrations", "flyway_schema_history", "databasechangelog",
            "knex_migrations", "_prisma_migrations", "goose_db_version", "__diesel_schema_migrations",
            "__efmigrationshistory", "seaql_migrations", "migrations", "ar_internal_metadata", "_sqlx_migrations")


@probe("MG-03", "lite.migration-ledger", "The file records which migrations were applied (ledger table or user_version)",
       engines=LITE,
       fix="Apply schema changes with a migration tool (its ledger table), or bump PRAGMA user_version in each "
           "hand-written migration.")
def migration_ledger(db, p):
    tables = _tables(db)
    if not tables:
        raise NotApplicable("the file has no tables")
    ledgers = [t for t in tables if t.lower() in _LEDGERS]
    version = int(_pragma(db, "user_version") or 0)
    p.note(f"user_version = {version}; ledger table(s): {', '.join(ledgers) or 'none'}")
    if ledgers or version:
        return []
    return [Finding("no migration ledger table and user_version = 0: nothing records which schema version this file has",
                    observed="no ledger", expected="a migration tool's ledger table or PRAGMA user_version > 0",
                    severity="Medium")]
