"""PostgreSQL live probes: query performance, caching, indexes, sessions and locks."""

from __future__ import annotations

from ...outcomes import Finding, Undecided
from ..probe import probe
from .facts import (USER_SCHEMAS, db_role_settings, duration_ms, fmt_bytes, fmt_s, major, need_setting,
                    require_stats_age, server_value, setting, stats_age_s, undecided)


def _pgss_ready(db) -> None:
    libs = need_setting(db, "shared_preload_libraries").lower()
    if "pg_stat_statements" not in libs:
        raise Undecided("pg_stat_statements is installed but not in shared_preload_libraries, so it collects "
                        "nothing: add it and restart")


def _query_text(r) -> str:
    q = " ".join((r["query"] or "").split())
    if not q or q.startswith("<insufficient"):
        return f"queryid {r['queryid']} (text hidden: GRANT pg_read_all_stats to see it)"
    return q[:200] + ("..." if len(q) > 200 else "")


@probe("PF-03", "pg.slow-statements", "No frequent statement is slow on average", engines="postgresql",
       needs=("pg_stat_statements",), thresholds={"slow_statement_mean_ms": 20, "slow_statement_min_calls": 100},
       anchors=("PH slow queries 20 ms / 100 calls", "MT", "PC K001"),
       fix="EXPLAIN (ANALYZE, BUFFERS) the listed statements; add indexes, fix N+1 loops and over-fetching.")
def slow_statements(db, p):
    """pg_stat_statements of this database: mean >= 20 ms over >= 100 calls (PgHero's defaults)."""
    _pgss_ready(db)
    rows = db.rows("""
        SELECT s.queryid, s.query, s.calls, s.mean_exec_time AS mean_ms, s.total_exec_time AS total_ms
        FROM pg_stat_statements s JOIN pg_catalog.pg_database d ON d.oid = s.dbid
        WHERE d.datname = current_database() AND s.calls >= :calls AND s.mean_exec_time >= :ms
        ORDER BY s.total_exec_time DESC LIMIT 20""",
                   calls=int(p.threshold("slow_statement_min_calls")), ms=float(p.threshold("slow_statement_mean_ms")))
    return [Finding(f"mean {r['mean_ms']:.1f} ms over {r['calls']} calls: {_query_text(r)}",
                    location=f"queryid {r['queryid']}", observed=f"{r['mean_ms']:.1f} ms",
                    expected=f"< {p.threshold('slow_statement_mean_ms')} ms") for r in rows]


@probe("PF-15", "pg.slow-query-rate", "Statements slower than the slow-query limit run less than once per second",
       engines="postgresql", needs=("pg_stat_statements",),
       thresholds={"slow_call_ms": 1000, "slow_calls_max_per_s": 1.0, "slow_rate_min_stats_h": 24},
       anchors=("MT slow queries > 5 % of questions", "seed: slow queries < 1/sec"),
       fix="Work down the statements with the highest total time (PF-03); the rate falls with them.")
def slow_query_rate(db, p):
    """An estimate: calls of statements whose *mean* is at or above slow_call_ms, per second since the
    statistics were reset (pg_stat_statements has no per-call durations)."""
    _pgss_ready(db)
    age = None
    if major(db) >= 14:
        age = db.scalar("SELECT extract(epoch FROM now() - stats_reset) FROM pg_stat_statements_info")
    age = float(age) if age is not None else stats_age_s(db)[0]
    p.note(f"pg_stat_statements cover {fmt_s(age)}")
    if age < float(p.threshold("slow_rate_min_stats_h")) * 3600:
        raise Undecided(f"statement statistics cover only {fmt_s(age)}; judged after "
                        f"{p.threshold('slow_rate_min_stats_h')} h")
    slow = float(db.scalar("""SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s
                              JOIN pg_catalog.pg_database d ON d.oid = s.dbid
                              WHERE d.datname = current_database() AND s.mean_exec_time >= :ms""",
                           ms=float(p.threshold("slow_call_ms"))))
    rate = slow / max(age, 1.0)
    p.note(f"about {rate:.3f} slow call(s)/s (statements with mean >= {p.threshold('slow_call_ms')} ms)")
    if rate <= float(p.threshold("slow_calls_max_per_s")):
        return []
    return [Finding(f"about {rate:.2f} calls/s of statements averaging >= {p.threshold('slow_call_ms')} ms",
                    observed=f"{rate:.2f}/s", expected=f"<= {p.threshold('slow_calls_max_per_s')}/s")]


def _latency(db, p):
    """pg_stat_statements keeps only mean and stddev per statement: a percentile cannot be computed.
    Reports the calls-weighted mean and stays unknown, for an APM or log analysis to decide."""
    _pgss_ready(db)
    r = db.rows("""SELECT coalesce(sum(calls), 0) AS calls, coalesce(sum(total_exec_time), 0) AS total_ms,
                          coalesce(max(mean_exec_time), 0) AS worst_mean_ms
                   FROM pg_stat_statements s JOIN pg_catalog.pg_database d ON d.oid = s.dbid
                   WHERE d.datname = current_database()""")[0]
    calls = float(r["calls"])
    name = {"PF-01": "p95_ms", "PF-13": "p50_ms", "PF-14": "p99_ms"}[p.probe.item]
    mean = float(r["total_ms"]) / calls if calls else 0.0
    target = p.threshold(name) if name else "?"
    raise Undecided(f"pg_stat_statements exposes mean and stddev only, not percentiles: calls-weighted mean "
                    f"{mean:.2f} ms over {calls:.0f} calls (worst statement mean {float(r['worst_mean_ms']):.1f} ms); "
                    f"{name.split('_')[0].upper()} < {target} ms needs APM spans or log analysis "
                    "(pgBadger over log_min_duration_statement = 0)")


for _item, _pid, _pct in (("PF-01", "pg.latency-p95", "P95"), ("PF-13", "pg.latency-p50", "P50"),
                          ("PF-14", "pg.latency-p99", "P99")):
    probe(_item, _pid, f"{_pct} latency (unknown on PostgreSQL: mean only)", engines="postgresql",
          needs=("pg_stat_statements",), anchors=("PH", "PC K001"),
          fix="Measure percentiles with an APM or pgBadger and attest the result.")(_latency)


@probe("PF-17", "pg.cache-hit-ratio", "The buffer cache serves most block reads", engines="postgresql",
       thresholds={"cache_hit_min_pct": 95, "cache_hit_min_stats_h": 24, "cache_hit_min_blocks": 10000},
       anchors=("PH 99 %", "CP hitratio", "MT", "seed > 95 %"),
       fix="Give shared_buffers (and the OS cache) more memory, or cut the reads: indexes, smaller scans.")
def cache_hit_ratio(db, p):
    """blks_hit / (blks_hit + blks_read) of this database since the statistics began."""
    require_stats_age(db, p, float(p.threshold("cache_hit_min_stats_h")))
    r = db.rows("SELECT blks_hit, blks_read FROM pg_catalog.pg_stat_database WHERE datname = current_database()")[0]
    total = int(r["blks_hit"]) + int(r["blks_read"])
    if total < int(p.threshold("cache_hit_min_blocks")):
        raise Undecided(f"only {total} block reads recorded: too few to judge a hit ratio")
    pct = 100.0 * int(r["blks_hit"]) / total
    p.note(f"cache hit ratio {pct:.2f} % over {total} block reads")
    if pct >= float(p.threshold("cache_hit_min_pct")):
        return []
    return [Finding(f"buffer cache hit ratio is {pct:.1f} %", observed=f"{pct:.1f} %",
                    expected=f">= {p.threshold('cache_hit_min_pct')} %")]


@probe("PF-18", "pg.seq-scan-heavy-tables", "Large tables are read mostly through indexes", engines="postgresql",
       thresholds={"index_scan_min_pct": 90, "seq_scan_min_live_rows": 10000, "seq_scan_min_stats_h": 24},
       anchors=("PH missing_indexes 95 % / 10 000 rows", "MT full joins", "PIH"),
       fix="Find the statements scanning these tables (pg_stat_statements) and index their filter columns.")
def seq_scan_heavy(db, p):
    """pg_stat_user_tables: tables with >= 10 000 live rows where index scans are < 90 % of scans."""
    require_stats_age(db, p, float(p.threshold("seq_scan_min_stats_h")))
    rows = db.rows("""
        SELECT schemaname, relname, seq_scan, coalesce(idx_scan, 0) AS idx_scan, n_live_tup
        FROM pg_catalog.pg_stat_user_tables
        WHERE n_live_tup >= :rows AND seq_scan + coalesce(idx_scan, 0) > 0
          AND 100.0 * coalesce(idx_scan, 0) / (seq_scan + coalesce(idx_scan, 0)) < :pct
        ORDER BY seq_scan DESC LIMIT 50""", rows=int(p.threshold("seq_scan_min_live_rows")),
                   pct=float(p.threshold("index_scan_min_pct")))
    out = []
    for r in rows:
        pct = 100.0 * r["idx_scan"] / (r["seq_scan"] + r["idx_scan"])
        out.append(Finding(f"table {r['schemaname']}.{r['relname']} ({r['n_live_tup']} rows): {r['seq_scan']} "
                           f"sequential scans, index scans only {pct:.0f} %", location=f"{r['schemaname']}.{r['relname']}",
                           observed=f"{pct:.0f} % index scans", expected=f">= {p.threshold('index_scan_min_pct')} %"))
    return out


@probe("PF-05", "pg.unused-indexes", "No large index has gone unused", engines="postgresql",
       thresholds={"unused_index_min_mb": 10, "unused_index_min_stats_days": 14},
       anchors=("PH unused indexes 0 scans >= 10 MB", "MT", "PC H002", "PIH"),
       fix="Confirm the index is unused on every replica too, then DROP INDEX CONCURRENTLY.")
def unused_indexes(db, p):
    """idx_scan = 0, not unique and not backing a constraint, at least 10 MB, with statistics at least
    14 days old (younger statistics are unknown, not a pass: PgHero #140). With no candidate at all the age
    does not matter: older statistics can only have more scans."""
    # Filter on relpages (no lock) before pg_relation_size (AccessShareLock per index): on a catalog of
    # 10 000 tables the exact size of every unscanned index would fill the shared lock table.
    rows = db.rows("""
        SELECT schemaname, relname, indexrelname, pg_catalog.pg_relation_size(indexrelid) AS bytes FROM (
          SELECT s.schemaname, s.relname, s.indexrelname, s.indexrelid, ic.relpages
          FROM pg_catalog.pg_stat_user_indexes s JOIN pg_catalog.pg_index i ON i.indexrelid = s.indexrelid
          JOIN pg_catalog.pg_class ic ON ic.oid = s.indexrelid
          WHERE s.idx_scan = 0 AND NOT i.indisunique AND i.indisvalid
            AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = s.indexrelid)
            AND ic.relpages::bigint * current_setting('block_size')::bigint >= :bytes
          ORDER BY ic.relpages DESC LIMIT 50) big
        ORDER BY bytes DESC""", bytes=int(float(p.threshold("unused_index_min_mb")) * 1024 * 1024))
    if not rows:
        p.note(f"no unscanned non-unique index of {p.threshold('unused_index_min_mb')} MB or more")
        return []
    require_stats_age(db, p, float(p.threshold("unused_index_min_stats_days")) * 24)
    if rows and db.scalar("SELECT count(*) FROM pg_catalog.pg_stat_replication"):
        p.note("this primary has standbys: an index unused here may serve reads on a replica")
    return [Finding(f"index {r['schemaname']}.{r['indexrelname']} on {r['relname']} ({fmt_bytes(r['bytes'])}) "
                    "has never been scanned", location=f"{r['schemaname']}.{r['indexrelname']}",
                    observed="0 scans", expected="used, or dropped", severity="Low") for r in rows]


@probe("PF-04", "pg.invalid-indexes", "No index is left invalid by a failed concurrent build", engines="postgresql",
       anchors=("PH invalid indexes", "PC H001", "PIH"),
       fix="DROP INDEX CONCURRENTLY the invalid index, fix the cause (e.g. duplicates), then CREATE INDEX "
           "CONCURRENTLY again (or REINDEX INDEX CONCURRENTLY).")
def invalid_indexes(db, p):
    """pg_index.indisvalid = false, skipping indexes whose concurrent build is still running."""
    rows = db.rows(f"""
        SELECT n.nspname AS schema_name, c.relname AS index_name, t.relname AS table_name
        FROM pg_catalog.pg_index i
        JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
        JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT i.indisvalid AND {USER_SCHEMAS}
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_progress_create_index g WHERE g.index_relid = i.indexrelid)
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_locks l WHERE l.relation = i.indrelid AND l.granted
                          AND l.mode = 'ShareUpdateExclusiveLock' AND l.pid <> pg_catalog.pg_backend_pid())
        ORDER BY 1, 2""")
    return [Finding(f"index {r['schema_name']}.{r['index_name']} on {r['table_name']} is invalid: it is maintained "
                    "on every write but never used", location=f"{r['schema_name']}.{r['index_name']}",
                    observed="indisvalid = false", expected="valid", severity="High") for r in rows]


_SESSIONS = """
SELECT pid, usename, application_name, state, backend_type,
       extract(epoch FROM now() - state_change) AS in_state_s,
       extract(epoch FROM now() - query_start) AS query_s,
       extract(epoch FROM now() - xact_start) AS xact_s, left(query, 200) AS query
FROM pg_catalog.pg_stat_activity
WHERE datname = current_database() AND pid <> pg_catalog.pg_backend_pid()
"""


def _sessions(db):
    return db.memo("pg_sessions_here", lambda d: d.rows(_SESSIONS))


def _who(r) -> str:
    return f"pid {r['pid']} ({r['usename'] or '?'}{', ' + r['application_name'] if r['application_name'] else ''})"


@probe("PF-12", "pg.idle-in-transaction", "No session sits idle inside an open transaction", engines="postgresql",
       needs=("pg_read_all_stats",), thresholds={"idle_in_transaction_max_s": 300, "idle_in_transaction_max_sessions": 100},
       anchors=("PH 100 idle-in-transaction sessions", "CP txn_idle", "PM"),
       fix="Fix the application path that opens a transaction and waits (commit or roll back promptly); set "
           "idle_in_transaction_session_timeout.")
def idle_in_transaction(db, p):
    """Sessions of this database in 'idle in transaction' longer than 5 min hold locks and the vacuum horizon."""
    limit = float(p.threshold("idle_in_transaction_max_s"))
    idle = [r for r in _sessions(db) if (r["state"] or "").startswith("idle in transaction")]
    p.note(f"{len(idle)} session(s) idle in transaction")
    out = [Finding(f"{_who(r)} idle in transaction for {fmt_s(r['in_state_s'])}", location=f"pid {r['pid']}",
                   observed=fmt_s(r["in_state_s"]), expected=f"< {fmt_s(limit)}", severity="High")
           for r in idle if float(r["in_state_s"] or 0) > limit]
    if len(idle) >= int(p.threshold("idle_in_transaction_max_sessions")):
        out.append(Finding(f"{len(idle)} sessions idle in transaction at once", observed=len(idle),
                           expected=f"< {p.threshold('idle_in_transaction_max_sessions')}"))
    return out


@probe("PF-12", "pg.long-running-queries", "No statement has been running for long", engines="postgresql",
       needs=("pg_read_all_stats",), thresholds={"long_statement_max_s": 60},
       anchors=("PH long-running queries 60 s", "CP query_time", "PM"),
       fix="Tune or cancel the statement (pg_cancel_backend); set statement_timeout for application roles.")
def long_running_queries(db, p):
    """Active client statements running over 60 s (autovacuum and walsenders are not clients)."""
    limit = float(p.threshold("long_statement_max_s"))
    rows = [r for r in _sessions(db) if r["state"] == "active" and r["backend_type"] == "client backend"
            and float(r["query_s"] or 0) > limit]
    return [Finding(f"{_who(r)} has run one statement for {fmt_s(r['query_s'])}: {' '.join((r['query'] or '').split())}",
                    location=f"pid {r['pid']}", observed=fmt_s(r["query_s"]), expected=f"< {fmt_s(limit)}")
            for r in rows]


@probe("PF-12", "pg.long-transactions", "No transaction stays open for long", engines="postgresql",
       needs=("pg_read_all_stats",), thresholds={"long_transaction_max_s": 300, "long_transaction_critical_s": 3600},
       anchors=("CP txn_time", "PM"),
       fix="Keep transactions short: commit per batch, move slow work out of the transaction.")
def long_transactions(db, p):
    """Transactions open longer than 5 min hold back vacuum (High); over 1 h Critical."""
    limit, crit = float(p.threshold("long_transaction_max_s")), float(p.threshold("long_transaction_critical_s"))
    rows = [r for r in _sessions(db) if float(r["xact_s"] or 0) > limit]
    return [Finding(f"{_who(r)} has kept a transaction open for {fmt_s(r['xact_s'])} ({r['state']})",
                    location=f"pid {r['pid']}", observed=fmt_s(r["xact_s"]), expected=f"< {fmt_s(limit)}",
                    severity="Critical" if float(r["xact_s"]) > crit else "High") for r in rows]


@probe("PF-12", "pg.lock-waits", "No session waits long for a lock", engines="postgresql",
       thresholds={"lock_wait_max_s": 60}, min_version=(14,), anchors=("CP lockwait 1 min/2 min", "PH", "PM"),
       fix="Find the blocker (pg_blocking_pids) and shorten its transaction; set lock_timeout for DDL.")
def lock_waits(db, p):
    """Ungranted locks in this database waiting longer than 60 s (pg_locks.waitstart, visible to every role)."""
    limit = float(p.threshold("lock_wait_max_s"))
    rows = db.rows("""
        SELECT l.pid, l.locktype, l.mode, coalesce(l.relation::regclass::text, '') AS rel,
               extract(epoch FROM now() - l.waitstart) AS wait_s
        FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_database d ON d.oid = l.database
        WHERE NOT l.granted AND d.datname = current_database() AND l.waitstart IS NOT NULL
          AND now() - l.waitstart > make_interval(secs => :s)
        UNION ALL
        SELECT l.pid, l.locktype, l.mode, '', extract(epoch FROM now() - l.waitstart)
        FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
        WHERE NOT l.granted AND l.database IS NULL AND a.datname = current_database() AND l.waitstart IS NOT NULL
          AND now() - l.waitstart > make_interval(secs => :s)""", s=limit)
    return [Finding(f"pid {r['pid']} has waited {fmt_s(r['wait_s'])} for a {r['mode']} on "
                    f"{r['locktype']} {r['rel']}".rstrip(), location=f"pid {r['pid']}", observed=fmt_s(r["wait_s"]),
                    expected=f"< {fmt_s(limit)}") for r in rows]


@probe("PF-12", "pg.deadlocks-and-rollbacks", "Deadlocks are rare and most transactions commit", engines="postgresql",
       thresholds={"deadlocks_max_per_day": 1, "rollback_max_ratio": 0.05, "rollback_min_transactions": 10000,
                   "deadlock_min_stats_h": 24},
       anchors=("CP commitratio", "PM", "reference PF-17"),
       fix="Take locks in one order across code paths; retry on deadlock; find why transactions roll back.")
def deadlocks_and_rollbacks(db, p):
    """Deadlocks per day and the rollback share of this database since its statistics began."""
    age = require_stats_age(db, p, float(p.threshold("deadlock_min_stats_h")))
    r = db.rows("SELECT deadlocks, xact_commit, xact_rollback FROM pg_catalog.pg_stat_database "
                "WHERE datname = current_database()")[0]
    out = []
    per_day = int(r["deadlocks"]) / (max(age, 60.0) / 86400)
    p.note(f"{r['deadlocks']} deadlock(s) ({per_day:.2f}/day), {r['xact_commit']} commits, "
           f"{r['xact_rollback']} rollbacks (this audit's read-only queries count as rollbacks)")
    if per_day > float(p.threshold("deadlocks_max_per_day")):
        out.append(Finding(f"{per_day:.1f} deadlocks per day", observed=r["deadlocks"],
                           expected=f"<= {p.threshold('deadlocks_max_per_day')}/day"))
    total = int(r["xact_commit"]) + int(r["xact_rollback"])
    if total >= int(p.threshold("rollback_min_transactions")):
        ratio = int(r["xact_rollback"]) / total
        if ratio > float(p.threshold("rollback_max_ratio")):
            out.append(Finding(f"{ratio:.1%} of transactions roll back", observed=f"{ratio:.1%}",
                               expected=f"<= {float(p.threshold('rollback_max_ratio')):.0%}", severity="Low"))
    return out


@probe("PF-12", "pg.orphaned-prepared-transactions", "No prepared (two-phase) transaction is left behind",
       engines="postgresql", thresholds={"prepared_xact_max_s": 30}, anchors=("CP prepared_txns 1 s/30 s",),
       fix="COMMIT PREPARED or ROLLBACK PREPARED the listed gid after checking with its transaction manager.")
def orphaned_prepared(db, p):
    """pg_prepared_xacts older than 30 s hold locks and the xmin horizon until resolved by hand."""
    limit = float(p.threshold("prepared_xact_max_s"))
    rows = db.rows("""SELECT gid, owner, extract(epoch FROM now() - prepared) AS age_s
                      FROM pg_catalog.pg_prepared_xacts WHERE database = current_database()""")
    p.note(f"{len(rows)} prepared transaction(s); max_prepared_transactions = "
           f"{setting(db, 'max_prepared_transactions')}")
    return [Finding(f"prepared transaction '{r['gid']}' ({r['owner']}) open for {fmt_s(r['age_s'])}",
                    location=f"gid {r['gid']}", observed=fmt_s(r["age_s"]), expected=f"< {fmt_s(limit)}",
                    severity="High") for r in rows if float(r["age_s"]) > limit]


@probe("PF-03", "pg.temp-spills", "Queries rarely spill to temporary files", engines="postgresql",
       thresholds={"temp_spill_max_mb_per_day": 10240, "temp_spill_min_stats_h": 24},
       anchors=("MT tmp tables on disk", "PM"),
       fix="Find the statements with temp_blks_written (pg_stat_statements); add indexes or raise work_mem for them.")
def temp_spills(db, p):
    """pg_stat_database.temp_bytes per day: sorts and hashes that did not fit in work_mem."""
    age = require_stats_age(db, p, float(p.threshold("temp_spill_min_stats_h")))
    r = db.rows("SELECT temp_files, temp_bytes FROM pg_catalog.pg_stat_database WHERE datname = current_database()")[0]
    per_day_mb = int(r["temp_bytes"]) / (max(age, 60.0) / 86400) / 1024 / 1024
    p.note(f"{r['temp_files']} temp file(s), {fmt_bytes(r['temp_bytes'])}: {per_day_mb:.0f} MB/day "
           f"(work_mem {setting(db, 'work_mem')} kB)")
    if per_day_mb <= float(p.threshold("temp_spill_max_mb_per_day")):
        return []
    return [Finding(f"{per_day_mb:.0f} MB/day written to temporary files", observed=f"{per_day_mb:.0f} MB/day",
                    expected=f"<= {p.threshold('temp_spill_max_mb_per_day')} MB/day", severity="Low")]


@probe("CF-04", "pg.checkpoint-pressure", "Checkpoints are mostly timed, not forced by WAL volume",
       engines="postgresql", thresholds={"requested_checkpoints_max_pct": 20, "checkpoint_min_count": 10,
                                         "checkpoint_min_stats_h": 24},
       anchors=("MT redo capacity", "PM", "PC"),
       fix="Raise max_wal_size so checkpoints happen on checkpoint_timeout; spread them with "
           "checkpoint_completion_target = 0.9.")
def checkpoint_pressure(db, p):
    """Requested (WAL-size, manual, CREATE DATABASE) vs timed checkpoints since the counters were reset."""
    if major(db) >= 17:
        r = db.rows("SELECT num_timed AS timed, num_requested AS req, extract(epoch FROM now() - stats_reset) AS age "
                    "FROM pg_catalog.pg_stat_checkpointer")[0]
    else:
        r = db.rows("SELECT checkpoints_timed AS timed, checkpoints_req AS req, "
                    "extract(epoch FROM now() - stats_reset) AS age FROM pg_catalog.pg_stat_bgwriter")[0]
    total = int(r["timed"]) + int(r["req"])
    age = float(r["age"] or 0)
    p.note(f"{r['timed']} timed and {r['req']} requested checkpoint(s) in {fmt_s(age)}; max_wal_size "
           f"{setting(db, 'max_wal_size')} MB")
    if age < float(p.threshold("checkpoint_min_stats_h")) * 3600:
        raise Undecided(f"the checkpoint counters cover only {fmt_s(age)}; judged after "
                        f"{p.threshold('checkpoint_min_stats_h')} h")
    if total < int(p.threshold("checkpoint_min_count")):
        raise Undecided(f"only {total} checkpoint(s) recorded: too few to judge")
    pct = 100.0 * int(r["req"]) / total
    if pct <= float(p.threshold("requested_checkpoints_max_pct")):
        return []
    return [Finding(f"{pct:.0f} % of checkpoints were requested, not timed", observed=f"{pct:.0f} %",
                    expected=f"<= {p.threshold('requested_checkpoints_max_pct')} %", severity="Low")]


@probe("PF-02", "pg.slow-query-log", "Statements slower than the limit are logged", engines="postgresql",
       anchors=("MT slow log", "DSP-16 log_duration", "reference PF-02"),
       fix="ALTER SYSTEM SET log_min_duration_statement = '250ms' (or per database); reload.")
def slow_query_log(db, p):
    """log_min_duration_statement for this database (its own setting, else the server's): -1 is off, above
    max_slow_query_ms misses what users feel."""
    limit = float(p.threshold("max_slow_query_ms"))
    here = [s["value"] for s in db_role_settings(db)
            if s["name"] == "log_min_duration_statement" and s["role"] == "" and s["database"] == db.database]
    value = here[0] if here else server_value(db, "log_min_duration_statement")
    ms = duration_ms(value)
    p.note(f"log_min_duration_statement for {db.database}: {value} ({'database setting' if here else 'server'})")
    if ms is None:
        raise undecided(db, "the server-wide log_min_duration_statement is hidden behind this role's own setting",
                        "pg_file_settings")
    sample = setting(db, "log_min_duration_sample")
    if ms < 0:
        if sample is not None and (duration_ms(sample) or -1) >= 0:
            p.note(f"log_min_duration_sample = {sample} logs a sample only")
        return [Finding(f"slow statements are not logged in {db.database} (log_min_duration_statement = -1)",
                        location="log_min_duration_statement", observed=value, expected=f"0..{limit:g} ms")]
    if ms > limit:
        return [Finding(f"log_min_duration_statement is {value}: only statements slower than {fmt_s(ms / 1000)} "
                        "are logged", location="log_min_duration_statement", observed=value,
                        expected=f"<= {limit:g} ms")]
    return []
