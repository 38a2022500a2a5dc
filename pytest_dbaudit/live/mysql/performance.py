"""MySQL and MariaDB live probes: slow statements, latency quantiles, caches and index use."""

from __future__ import annotations

from ...outcomes import Finding, Undecided
from ..probe import probe
from .facts import mb, mysql_at_least, need_ps, need_stat, on, stat, tables, uptime_s, var, variables, young

PS = 1e9  # performance_schema timers are in picoseconds; / PS gives milliseconds


@probe("PF-02", "my.slow-query-log", "The slow query log is on with a useful long_query_time", engines="mysql",
       anchors=("live:PF-02", "MySQLTuner slow log off / long_query_time > 10 s"),
       fix="SET PERSIST slow_query_log = ON, long_query_time = 1 (or lower), log_output = FILE (or TABLE); ship "
           "the file to your log platform.")
def slow_query_log(db, p):
    v = variables(db)
    enabled = on(v.get("slow_query_log", "OFF"))
    lqt_ms = float(v.get("long_query_time") or 10) * 1000
    limit = float(p.threshold("max_slow_query_ms"))
    p.note(f"slow_query_log = {v.get('slow_query_log')}, long_query_time = {lqt_ms / 1000:g} s, "
           f"log_output = {v.get('log_output')}")
    out = []
    if not enabled:
        out.append(Finding("the slow query log is off", observed="slow_query_log = OFF", expected="ON"))
    if lqt_ms > limit:
        out.append(Finding(f"long_query_time is {lqt_ms / 1000:g} s: statements faster than that are never logged",
                           observed=f"{lqt_ms:g} ms", expected=f"<= {limit:g} ms"))
    if enabled and str(v.get("log_output", "")).upper() == "NONE":
        out.append(Finding("log_output = NONE: the slow log is on but written nowhere", observed="NONE",
                           expected="FILE or TABLE"))
    return out


@probe("PF-06", "my.slow-plan-capture", "Slow statements are logged with their execution plan", engines="mysql",
       anchors=("live:PF-02", "auto_explain analogue"),
       fix="MariaDB: SET GLOBAL log_slow_verbosity = 'query_plan,explain' with the slow log on. MySQL has no "
           "server-side plan capture: collect plans with EXPLAIN ANALYZE / pt-query-digest on the slow log.")
def slow_plan_capture(db, p):
    if db.flavor == "mysql":
        raise Undecided("MySQL logs no execution plans with slow statements; plans must be captured by a tool "
                        "(EXPLAIN ANALYZE, pt-query-digest, PMM), which the server cannot show")
    verbosity = {x.strip().lower() for x in (var(db, "log_slow_verbosity") or "").split(",") if x.strip()}
    enabled = on(var(db, "slow_query_log", "OFF"))
    p.note(f"slow_query_log = {var(db, 'slow_query_log')}, log_slow_verbosity = {sorted(verbosity) or '(empty)'}")
    out = []
    if not enabled:
        out.append(Finding("the slow query log is off, so no plans are captured", observed="slow_query_log = OFF",
                           expected="ON"))
    if not verbosity & {"explain", "full"}:
        out.append(Finding("slow-log entries carry no EXPLAIN output", observed=f"log_slow_verbosity = "
                           f"{','.join(sorted(verbosity)) or '(empty)'}", expected="query_plan,explain"))
    return out


def _quantile(db, p, q: float, target_name: str):
    """Server-wide statement latency quantile from MySQL 8's global histogram; MariaDB keeps none."""
    if db.flavor == "mariadb":
        raise Undecided("MariaDB's performance_schema keeps no latency quantiles (no QUANTILE_95 / statement "
                        "histograms): measure P50/P95/P99 in the application or a proxy (ProxySQL, MaxScale)")
    if not mysql_at_least(db, 8, 0, 3):
        raise Undecided(f"statement latency histograms need MySQL 8.0.3 or later (server is {db.version})")
    need_ps(db)
    target = float(p.threshold(target_name))
    rows = db.rows("SELECT BUCKET_TIMER_HIGH, COUNT_BUCKET_AND_LOWER, BUCKET_QUANTILE "
                   "FROM performance_schema.events_statements_histogram_global ORDER BY BUCKET_NUMBER")
    total = max((float(r["COUNT_BUCKET_AND_LOWER"] or 0) for r in rows), default=0)
    if total < 100:
        raise Undecided(f"only {total:.0f} statement(s) recorded since start or the last reset: too few to judge")
    value = next((float(r["BUCKET_TIMER_HIGH"]) / PS for r in rows if float(r["BUCKET_QUANTILE"] or 0) >= q), None)
    if value is None:
        raise Undecided("the statement histogram has no bucket at that quantile")
    young(db, p, "latency statistics")
    p.note(f"server-wide P{round(q * 100)} latency <= {value:.1f} ms over {total:.0f} statements (target {target:g} ms)")
    col = {0.95: "QUANTILE_95", 0.99: "QUANTILE_99"}.get(q)
    if col:
        worst = db.rows(f"SELECT SCHEMA_NAME, LEFT(DIGEST_TEXT, 100) AS sql_text, COUNT_STAR, {col} AS qv "
                        "FROM performance_schema.events_statements_summary_by_digest "
                        f"WHERE {col} >= :t ORDER BY {col} * COUNT_STAR DESC LIMIT 3", t=target * PS)
        for w in worst:
            p.note(f"digest over target: {float(w['qv']) / PS:.1f} ms x {w['COUNT_STAR']} calls: {w['sql_text']}")
    if value > target:
        return [Finding(f"P{round(q * 100)} statement latency is {value:.1f} ms (histogram bucket bound)",
                        observed=f"{value:.1f} ms", expected=f"< {target:g} ms")]
    return []


@probe("PF-01", "my.latency-p95", "Server-wide P95 statement latency is below target", engines="mysql",
       needs=("performance_schema",), anchors=("live:PF-03", "seed metric P95 < 100 ms"),
       fix="Work down the slowest digests (events_statements_summary_by_digest ordered by QUANTILE_95 x COUNT_STAR).")
def latency_p95(db, p):
    return _quantile(db, p, 0.95, "p95_ms")


@probe("PF-13", "my.latency-p50", "Server-wide median statement latency is below target", engines="mysql",
       needs=("performance_schema",), anchors=("live:PF-03", "seed metric P50"),
       fix="A slow median means most statements are slow: check buffer pool size, missing indexes on the hottest "
           "digests and I/O latency.")
def latency_p50(db, p):
    return _quantile(db, p, 0.50, "p50_ms")


@probe("PF-14", "my.latency-p99", "Server-wide P99 statement latency is below target", engines="mysql",
       needs=("performance_schema",), anchors=("live:PF-03", "seed metric P99"),
       fix="The tail is usually lock waits, disk-based temp tables and full scans: see PF-12 and the digests "
           "ordered by QUANTILE_99.")
def latency_p99(db, p):
    return _quantile(db, p, 0.99, "p99_ms")


@probe("PF-03", "my.slow-digests", "No frequent statement digest is slow on average", engines="mysql",
       needs=("performance_schema",), anchors=("live:PF-03", "PgHero slow queries 20 ms / 100 calls"),
       fix="EXPLAIN the digest's statement, add the index it needs or rewrite it; re-check after the deploy.")
def slow_digests(db, p):
    need_ps(db)
    consumer = db.rows("SELECT ENABLED FROM performance_schema.setup_consumers WHERE NAME = 'statements_digest'")
    if not consumer or str(consumer[0]["ENABLED"]).upper() != "YES":
        raise Undecided("the statements_digest consumer is disabled: no digests are collected")
    ms, calls = float(p.threshold("slow_query_ms")), int(p.threshold("slow_query_min_calls"))
    rows = db.rows("SELECT SCHEMA_NAME, LEFT(DIGEST_TEXT, 150) AS sql_text, COUNT_STAR, AVG_TIMER_WAIT "
                   "FROM performance_schema.events_statements_summary_by_digest "
                   "WHERE COUNT_STAR >= :c AND AVG_TIMER_WAIT >= :t ORDER BY SUM_TIMER_WAIT DESC LIMIT 20",
                   c=calls, t=ms * PS)
    n = db.scalar("SELECT COUNT(*) FROM performance_schema.events_statements_summary_by_digest")
    p.note(f"{n} digest(s) recorded; {len(rows)} with >= {calls} calls averaging >= {ms:g} ms")
    young(db, p, "digest statistics")
    return [Finding(f"{float(r['AVG_TIMER_WAIT']) / PS:.1f} ms average over {r['COUNT_STAR']} calls: {r['sql_text']}",
                    location=f"schema {r['SCHEMA_NAME']}" if r["SCHEMA_NAME"] else "", severity="Medium",
                    observed=f"{float(r['AVG_TIMER_WAIT']) / PS:.1f} ms", expected=f"< {ms:g} ms") for r in rows]


@probe("PF-03", "my.slow-query-ratio", "Slow statements are a small share of all statements", engines="mysql",
       thresholds={"max_slow_query_ratio": 0.05}, anchors=("live:PF-03", "MySQLTuner slow queries > 5 %"),
       fix="Find the slow statements (slow log, performance_schema digests) and fix the top ones by total time.")
def slow_query_ratio(db, p):
    slow, questions = need_stat(db, "Slow_queries"), need_stat(db, "Questions")
    p.note(f"Slow_queries {slow:.0f} of Questions {questions:.0f} (slower than long_query_time "
           f"{var(db, 'long_query_time')} s)")
    young(db, p)
    if questions < 1000:
        raise Undecided(f"only {questions:.0f} statements since start: too few to judge the slow share")
    ratio = slow / questions
    limit = float(p.threshold("max_slow_query_ratio"))
    return [Finding(f"{ratio:.1%} of statements were slow", observed=f"{ratio:.2%}", expected=f"<= {limit:.0%}")] \
        if ratio > limit else []


@probe("PF-15", "my.slow-queries-per-second", "Slow queries stay under the per-second limit", engines="mysql",
       anchors=("live:PF-03", "seed metric slow queries < 1/s"),
       fix="Fix the slow statements by total time; lower long_query_time only with the slow log shipped.")
def slow_per_second(db, p):
    slow, up = need_stat(db, "Slow_queries"), uptime_s(db)
    if up <= 0:
        raise Undecided("the server reports no Uptime")
    rate = slow / up
    limit = float(p.threshold("slow_queries_per_s"))
    p.note(f"{slow:.0f} slow queries in {up / 3600:.1f} h = {rate:.4f}/s (slower than long_query_time "
           f"{var(db, 'long_query_time')} s; an average since start)")
    young(db, p)
    return [Finding(f"{rate:.2f} slow queries per second since start", observed=f"{rate:.2f}/s",
                    expected=f"< {limit:g}/s")] if rate >= limit else []


@probe("PF-17", "my.buffer-pool-hit", "InnoDB buffer pool serves at least the target share of reads",
       engines="mysql", thresholds={"min_read_requests_judged": 10000},
       anchors=("live:PF-04", "MySQLTuner", "PgHero cache hit 99 %"),
       fix="Grow innodb_buffer_pool_size toward the working set (up to ~70 % of RAM on a dedicated server).")
def buffer_pool_hit(db, p):
    reads, requests = need_stat(db, "Innodb_buffer_pool_reads"), need_stat(db, "Innodb_buffer_pool_read_requests")
    if requests < float(p.threshold("min_read_requests_judged")):
        raise Undecided(f"only {requests:.0f} buffer pool read requests since start: too few to judge")
    ratio = 1 - reads / requests
    target = float(p.threshold("min_cache_hit_ratio"))
    p.note(f"buffer pool hit {ratio:.2%} ({reads:.0f} disk reads / {requests:.0f} requests), "
           f"innodb_buffer_pool_size {mb(var(db, 'innodb_buffer_pool_size')):.0f} MB")
    young(db, p)
    return [Finding(f"buffer pool hit ratio {ratio:.1%}", observed=f"{ratio:.2%}", expected=f">= {target:.0%}")] \
        if ratio < target else []


@probe("PF-17", "my.tmp-tables-on-disk", "Few implicit temporary tables spill to disk", engines="mysql",
       thresholds={"max_tmp_disk_table_ratio": 0.25}, anchors=("live:PF-18", "MySQLTuner temp tables on disk 25 %"),
       fix="Avoid TEXT/BLOB columns in GROUP BY / ORDER BY / UNION results, index the grouping columns, and size "
           "tmp_table_size = max_heap_table_size for the largest in-memory temp tables.")
def tmp_tables_on_disk(db, p):
    disk, total = need_stat(db, "Created_tmp_disk_tables"), need_stat(db, "Created_tmp_tables")
    if total < 100:
        raise Undecided(f"only {total:.0f} temporary tables since start: too few to judge")
    ratio = disk / total
    limit = float(p.threshold("max_tmp_disk_table_ratio"))
    p.note(f"{disk:.0f} of {total:.0f} temporary tables on disk ({ratio:.0%})")
    return [Finding(f"{ratio:.0%} of temporary tables were created on disk", observed=f"{ratio:.1%}",
                    expected=f"<= {limit:.0%}")] if ratio > limit else []


@probe("PF-17", "my.table-open-cache", "The table cache serves most table opens", engines="mysql",
       thresholds={"min_table_cache_hit_ratio": 0.2}, anchors=("MySQLTuner table cache hit < 20 %",),
       fix="Raise table_open_cache (and open_files_limit with it) to cover the tables opened concurrently.")
def table_open_cache(db, p):
    hits, misses = stat(db, "Table_open_cache_hits"), stat(db, "Table_open_cache_misses")
    if hits is None or misses is None:
        raise Undecided("the server reports no Table_open_cache_hits / _misses")
    if hits + misses < 1000:
        raise Undecided(f"only {hits + misses:.0f} table opens since start: too few to judge")
    ratio = hits / (hits + misses)
    limit = float(p.threshold("min_table_cache_hit_ratio"))
    p.note(f"table cache hit {ratio:.0%}, table_open_cache {var(db, 'table_open_cache')}, "
           f"Opened_tables {stat(db, 'Opened_tables')}")
    return [Finding(f"table cache hit ratio {ratio:.0%}", observed=f"{ratio:.1%}", expected=f">= {limit:.0%}")] \
        if ratio < limit else []


def _index_usage(db) -> list[dict]:
    return db.memo("my_index_usage", lambda d: d.rows(
        "SELECT OBJECT_NAME, INDEX_NAME, COUNT_STAR, COUNT_READ FROM performance_schema.table_io_waits_summary_by_index_usage "
        "WHERE OBJECT_SCHEMA = :s", s=d.database))


@probe("PF-18", "my.full-scans", "Large tables are read through indexes, not full scans", engines="mysql",
       needs=("performance_schema", "select_all"), anchors=("live:PF-05", "PgHero missing_indexes 95 % / 10 000 rows",
                                                            "sys.schema_tables_with_full_table_scans"),
       fix="Find the statements scanning the table (sys.statements_with_full_table_scans or digests with "
           "SUM_NO_INDEX_USED) and add the index their WHERE / JOIN needs.")
def full_scans(db, p):
    need_ps(db)
    big = {t["TABLE_NAME"]: t for t in tables(db) if float(t["TABLE_ROWS"] or 0) >= float(p.threshold("min_table_rows"))}
    per: dict[str, list[float]] = {}
    for r in _index_usage(db):
        acc = per.setdefault(r["OBJECT_NAME"], [0.0, 0.0])
        acc[0 if r["INDEX_NAME"] is None else 1] += float(r["COUNT_READ"] or 0)
    p.note(f"{len(big)} table(s) with >= {p.threshold('min_table_rows')} rows; usage counted in rows read since start")
    young(db, p, "index usage counters")
    out, limit = [], float(p.threshold("min_index_usage_ratio"))
    for name, t in sorted(big.items()):
        scan, idx = per.get(name, [0.0, 0.0])
        if scan + idx == 0:
            continue
        ratio = idx / (scan + idx)
        if ratio < limit:
            out.append(Finding(f"table {db.database}.{name} ({float(t['TABLE_ROWS']):.0f} rows): only {ratio:.0%} of "
                               f"rows read through an index ({scan:.0f} rows by full scans)",
                               location=f"{db.database}.{name}", observed=f"{ratio:.1%}", expected=f">= {limit:.0%}"))
    return out


@probe("PF-05", "my.unused-indexes", "No large secondary index is unused since the statistics began",
       engines="mysql", needs=("performance_schema", "select_all"),
       anchors=("live:PF-06", "PgHero unused indexes 10 MB", "sys.schema_unused_indexes"),
       fix="Check replicas and periodic jobs first, then make the index INVISIBLE (MySQL 8) / IGNORED (MariaDB "
           "10.6+) for a cycle before dropping it.")
def unused_indexes(db, p):
    need_ps(db)
    days = uptime_s(db) / 86400
    min_days = float(p.threshold("min_stats_age_days"))
    if days < min_days:
        raise Undecided(f"index usage has been counted for only {days:.1f} day(s) since the server started; "
                        f"{min_days:g} are needed before an index can be called unused")
    min_mb = float(p.threshold("unused_index_min_mb"))
    sizes = {t["TABLE_NAME"]: mb(t["INDEX_LENGTH"]) for t in tables(db)}
    secondary = {(r["TABLE_NAME"], r["INDEX_NAME"]) for r in db.rows(
        "SELECT DISTINCT TABLE_NAME, INDEX_NAME FROM information_schema.STATISTICS "
        "WHERE TABLE_SCHEMA = :s AND NON_UNIQUE = 1", s=db.database)}
    usage = [r for r in _index_usage(db) if r["INDEX_NAME"] and (r["OBJECT_NAME"], r["INDEX_NAME"]) in secondary]
    p.note(f"{len(usage)} secondary index(es) with usage counters over {days:.0f} days")
    # performance_schema has no per-index size: the table's total index size bounds it from above
    return [Finding(f"index {r['INDEX_NAME']} on {db.database}.{r['OBJECT_NAME']} was never used in {days:.0f} days "
                    f"(the table's indexes take {sizes.get(r['OBJECT_NAME'], 0):.0f} MB)",
                    location=f"{db.database}.{r['OBJECT_NAME']}.{r['INDEX_NAME']}", observed="0 reads")
            for r in usage if int(r["COUNT_STAR"] or 0) == 0 and sizes.get(r["OBJECT_NAME"], 0) >= min_mb]
