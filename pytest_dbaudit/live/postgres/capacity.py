"""PostgreSQL live probes: sizes, partitioning, sequences and constraint validation."""

from __future__ import annotations

import re

from ...outcomes import Finding, Undecided
from ..probe import probe
from .facts import USER_SCHEMAS, fmt_bytes, setting


@probe("CA-01", "pg.size-inventory", "Database and largest-table sizes and connection headroom are known",
       engines="postgresql", thresholds={"size_inventory_top_n": 5},
       anchors=("CP database_size", "PH space", "PM", "PC L001"),
       fix="Record the sizes over time (CA-02) and alert well before the volume fills (CA-07).")
def size_inventory(db, p):
    """An inventory, shown on pass: this database's size, its largest tables, connections in use."""
    size = int(db.scalar("SELECT pg_catalog.pg_database_size(current_database())"))
    p.note(f"database {db.database}: {fmt_bytes(size)}")
    # Ranked by relpages (no lock), measured exactly only for the top N: pg_total_relation_size locks
    # each relation it measures, and every table of a large catalog would fill the shared lock table.
    rows = db.rows(f"""
        SELECT name, pg_catalog.pg_total_relation_size(oid) AS bytes FROM (
          SELECT c.oid, n.nspname || '.' || c.relname AS name
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'm') AND {USER_SCHEMAS}
          ORDER BY c.relpages DESC LIMIT :n) top
        ORDER BY 2 DESC""", n=int(p.threshold("size_inventory_top_n")))
    if rows:
        p.note("largest: " + ", ".join(f"{r['name']} {fmt_bytes(r['bytes'])}" for r in rows))
    used = db.scalar("SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend'")
    p.note(f"connections: {used} of max_connections {setting(db, 'max_connections')}")
    return []


@probe("AT-06", "pg.large-unpartitioned-tables", "Very large tables are partitioned", engines="postgresql",
       thresholds={"partition_min_table_rows": 100_000_000}, anchors=("new (reference CA-04)",),
       fix="Partition by time or tenant (declarative partitioning, pg_partman) so old data can be detached and "
           "vacuum works per partition.")
def large_unpartitioned(db, p):
    """Plain tables (not partitions, not inheritance parents) above partition_min_table_gb or the row limit."""
    min_bytes = float(p.threshold("partition_min_table_gb")) * 1024 ** 3
    # Candidates from the planner's page and row estimates (no lock; heap pages, at most a quarter of the
    # limit short for indexes and TOAST), exact size only for those.
    rows = db.rows(f"""
        SELECT schema_name, table_name, bytes, est_rows FROM (
          SELECT n.nspname AS schema_name, c.relname AS table_name, pg_catalog.pg_total_relation_size(c.oid) AS bytes,
                 greatest(c.reltuples, 0)::bigint AS est_rows
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'r' AND NOT c.relispartition AND {USER_SCHEMAS}
            AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid OR i.inhrelid = c.oid)
            AND (c.relpages::bigint * current_setting('block_size')::bigint > :bytes / 4 OR c.reltuples > :rows)
          ORDER BY c.relpages DESC LIMIT 200) candidates
        WHERE bytes > :bytes OR est_rows > :rows
        ORDER BY bytes DESC LIMIT 50""", bytes=min_bytes, rows=int(p.threshold("partition_min_table_rows")))
    return [Finding(f"table {r['schema_name']}.{r['table_name']} is {fmt_bytes(r['bytes'])} (~{r['est_rows']} rows) "
                    "and not partitioned", location=f"{r['schema_name']}.{r['table_name']}",
                    observed=fmt_bytes(r["bytes"]), expected="partitioned") for r in rows]


@probe("CA-09", "pg.default-partition-rows", "Default partitions stay empty", engines="postgresql",
       thresholds={"default_partition_max_rows": 0}, anchors=("CP partman_premake", "reference CA-05"),
       fix="Create the missing partitions (pg_partman run_maintenance) and move the rows out of the default "
           "partition (partman.partition_data_proc).")
def default_partition_rows(db, p):
    """Rows in a DEFAULT partition mean partitions were not created in time; they also block attaching
    the partition they belong in. Counted from statistics (n_live_tup, reltuples), not by scanning."""
    rows = db.rows(f"""
        SELECT n.nspname || '.' || c.relname AS parent, d.relname AS default_name,
               greatest(coalesce(s.n_live_tup, 0), d.reltuples, 0)::bigint AS est_rows
        FROM pg_catalog.pg_partitioned_table pt
        JOIN pg_catalog.pg_class c ON c.oid = pt.partrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_class d ON d.oid = pt.partdefid
        LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = d.oid
        WHERE pt.partdefid <> 0 AND {USER_SCHEMAS}""")
    p.note(f"{len(rows)} default partition(s)")
    limit = int(p.threshold("default_partition_max_rows"))
    return [Finding(f"default partition {r['default_name']} of {r['parent']} holds ~{r['est_rows']} rows",
                    location=r["parent"], observed=r["est_rows"], expected=f"<= {limit}") for r in rows
            if int(r["est_rows"]) > limit]


@probe("CA-09", "pg.partitions-premade", "Time-range partitions exist ahead of time", engines="postgresql",
       thresholds={"partition_premake_days": 7}, anchors=("CP partman_premake",),
       fix="Pre-create partitions (pg_partman premake, a scheduled job) at least a week ahead.")
def partitions_premade(db, p):
    """Range-partitioned tables keyed on one date/timestamp column: the highest upper bound must lie at least
    partition_premake_days ahead, or new rows fail (or land in the default partition)."""
    parents = db.rows(f"""
        SELECT c.oid, n.nspname || '.' || c.relname AS parent, pg_catalog.format_type(a.atttypid, NULL) AS keytype
        FROM pg_catalog.pg_partitioned_table pt
        JOIN pg_catalog.pg_class c ON c.oid = pt.partrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = pt.partattrs[0]
        WHERE pt.partstrat = 'r' AND pt.partnatts = 1 AND {USER_SCHEMAS}
          AND a.atttypid IN ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype)""")
    out = []
    days = float(p.threshold("partition_premake_days"))
    for par in parents:
        bounds = db.rows("""SELECT pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound
                            FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
                            WHERE i.inhparent = :oid""", oid=par["oid"])
        uppers = []
        for b in bounds:
            m = re.search(r"TO \((.*)\)\s*$", b["bound"] or "")
            if not m:
                continue  # DEFAULT partition
            value = m.group(1).strip()
            if value.upper() == "MAXVALUE":
                uppers = None
                break
            uppers.append(value.strip("'"))
        if uppers is None or not uppers:
            continue
        ahead = db.scalar("SELECT extract(epoch FROM max(CAST(u AS timestamptz)) - now()) / 86400 "
                          "FROM unnest(CAST(:u AS text[])) AS u", u=uppers)
        p.note(f"{par['parent']}: partitions reach {float(ahead):.1f} day(s) ahead")
        if float(ahead) < days:
            out.append(Finding(f"partitions of {par['parent']} reach only {float(ahead):.1f} day(s) ahead",
                               location=par["parent"], observed=f"{float(ahead):.1f} days", expected=f">= {days:g} days"))
    return out


_TYPE_MAX = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}


@probe("SD-06", "pg.sequence-exhaustion", "No sequence is close to its limit", engines="postgresql",
       thresholds={"sequence_used_max_pct": 90}, anchors=("PH 90 %", "CP sequence 85/95 %", "MT 75 %", "PC L003"),
       fix="ALTER the column and its sequence to bigint (ALTER TABLE ... ALTER COLUMN ... TYPE bigint; "
           "ALTER SEQUENCE ... AS bigint) before the limit is hit.")
def sequence_exhaustion(db, p):
    """last_value against the smaller of the sequence's own limit and its owning column's type (PgHero);
    sequences the role cannot read are listed, never passed."""
    rows = db.rows("""
        SELECT s.schemaname, s.sequencename, s.last_value, s.max_value, s.min_value, s.increment_by,
               pg_catalog.has_sequence_privilege(quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename),
                                                 'SELECT,USAGE') AS readable,
               (SELECT pg_catalog.format_type(a.atttypid, NULL) FROM pg_catalog.pg_depend d
                  JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                 WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
                   AND d.objid = (quote_ident(s.schemaname) || '.' || quote_ident(s.sequencename))::regclass
                   AND d.deptype IN ('a', 'i') LIMIT 1) AS column_type
        FROM pg_catalog.pg_sequences s
        WHERE s.schemaname NOT IN ('pg_catalog', 'information_schema')""")
    out, unreadable = [], []
    limit_pct = float(p.threshold("sequence_used_max_pct"))
    for r in rows:
        name = f"{r['schemaname']}.{r['sequencename']}"
        if not r["readable"]:
            unreadable.append(name)
            continue
        if r["last_value"] is None:
            continue  # never called
        if int(r["increment_by"]) > 0:
            cap = min(int(r["max_value"]), _TYPE_MAX.get(r["column_type"] or "", int(r["max_value"])))
            used = 100.0 * int(r["last_value"]) / cap
        else:
            cap = int(r["min_value"])
            if r["column_type"] in _TYPE_MAX:
                cap = max(cap, -_TYPE_MAX[r["column_type"]] - 1)
            used = 100.0 * int(r["last_value"]) / cap if cap < 0 else 0.0
        if used >= limit_pct:
            out.append(Finding(f"sequence {name} has used {used:.1f} % of its range ({r['last_value']} of {cap}"
                               + (f", column type {r['column_type']}" if r["column_type"] else "") + ")",
                               location=name, observed=f"{used:.1f} %", expected=f"< {limit_pct:g} %",
                               severity="Critical"))
    p.note(f"{len(rows)} sequence(s), {len(unreadable)} unreadable")
    if unreadable and not out:
        shown = ", ".join(unreadable[:10]) + (f" and {len(unreadable) - 10} more" if len(unreadable) > 10 else "")
        raise Undecided(f"cannot read {len(unreadable)} sequence(s): {shown} (GRANT SELECT ON ALL SEQUENCES IN "
                        "SCHEMA ... TO the audit role)")
    return out


@probe("SD-04", "pg.unvalidated-constraints", "Every foreign key and check constraint is validated",
       engines="postgresql", anchors=("PH invalid constraints", "PIH"),
       fix="ALTER TABLE ... VALIDATE CONSTRAINT ...; (takes only a SHARE UPDATE EXCLUSIVE lock) after fixing "
           "violating rows.")
def unvalidated_constraints(db, p):
    """pg_constraint.convalidated = false: added NOT VALID and never validated, so old rows may violate it."""
    rows = db.rows(f"""
        SELECT n.nspname AS schema_name, c.relname AS table_name, k.conname,
               CASE k.contype WHEN 'f' THEN 'foreign key' WHEN 'c' THEN 'check' ELSE k.contype::text END AS kind
        FROM pg_catalog.pg_constraint k
        JOIN pg_catalog.pg_class c ON c.oid = k.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT k.convalidated AND {USER_SCHEMAS}
        ORDER BY 1, 2, 3""")
    return [Finding(f"{r['kind']} constraint {r['conname']} on {r['schema_name']}.{r['table_name']} is NOT VALID",
                    location=f"{r['schema_name']}.{r['table_name']}", observed="not validated", expected="validated")
            for r in rows]
