"""PostgreSQL live probes: vacuum, analyze, wraparound, bloat and disabled triggers."""

from __future__ import annotations

from ...outcomes import Finding
from ..probe import probe
from .facts import USER_SCHEMAS, fmt_s, is_on, setting


@probe("MO-08", "pg.dead-tuples", "Dead rows are vacuumed away before they pile up", engines="postgresql",
       thresholds={"dead_tuples_min": 10000, "dead_tuples_max_ratio": 0.2},
       anchors=("CP bloat", "PC F003/F004", "PIH", "reference PF-09"),
       fix="VACUUM (ANALYZE) the table; lower its autovacuum_vacuum_scale_factor; look for long transactions "
           "holding the xmin horizon (PF-12).")
def dead_tuples(db, p):
    """n_dead_tup > 10 000 and > 20 % of the table's rows (cheap counters, no bloat estimator)."""
    rows = db.rows("""
        SELECT schemaname, relname, n_live_tup, n_dead_tup,
               greatest(last_vacuum, last_autovacuum) AS last_vacuum
        FROM pg_catalog.pg_stat_user_tables
        WHERE n_dead_tup > :min AND n_dead_tup > :ratio * (n_live_tup + n_dead_tup)
        ORDER BY n_dead_tup DESC LIMIT 50""", min=int(p.threshold("dead_tuples_min")),
                   ratio=float(p.threshold("dead_tuples_max_ratio")))
    out = []
    for r in rows:
        share = r["n_dead_tup"] / max(r["n_live_tup"] + r["n_dead_tup"], 1)
        out.append(Finding(f"table {r['schemaname']}.{r['relname']}: {r['n_dead_tup']} dead rows ({share:.0%}), "
                           f"last vacuum {r['last_vacuum'] or 'never'}", location=f"{r['schemaname']}.{r['relname']}",
                           observed=f"{r['n_dead_tup']} dead ({share:.0%})",
                           expected=f"<= {float(p.threshold('dead_tuples_max_ratio')):.0%}"))
    return out


@probe("PF-07", "pg.stale-statistics", "Planner statistics were refreshed after the table changed",
       engines="postgresql", thresholds={"stale_stats_mod_ratio": 0.1, "stale_stats_min_mods": 50,
                                         "stale_stats_max_age_h": 24},
       anchors=("CP last_analyze 1 d/2 d", "PH maintenance"),
       fix="ANALYZE the table; if autovacuum cannot keep up, lower autovacuum_analyze_scale_factor for it.")
def stale_statistics(db, p):
    """Tables changed by more than 10 % + 50 rows since their last analyze, where that analyze is missing or
    older than 24 h (a fresh change is autovacuum's to handle)."""
    rows = db.rows("""
        SELECT s.schemaname, s.relname, s.n_mod_since_analyze, greatest(c.reltuples, 0)::bigint AS reltuples,
               greatest(s.last_analyze, s.last_autoanalyze) AS analyzed,
               extract(epoch FROM now() - greatest(s.last_analyze, s.last_autoanalyze)) AS age_s
        FROM pg_catalog.pg_stat_user_tables s JOIN pg_catalog.pg_class c ON c.oid = s.relid
        WHERE s.n_mod_since_analyze > :ratio * greatest(c.reltuples, 0) + :mods
          AND (greatest(s.last_analyze, s.last_autoanalyze) IS NULL
               OR now() - greatest(s.last_analyze, s.last_autoanalyze) > make_interval(hours => :h))
        ORDER BY s.n_mod_since_analyze DESC LIMIT 50""", ratio=float(p.threshold("stale_stats_mod_ratio")),
                   mods=int(p.threshold("stale_stats_min_mods")), h=int(p.threshold("stale_stats_max_age_h")))
    return [Finding(f"table {r['schemaname']}.{r['relname']}: {r['n_mod_since_analyze']} rows changed since "
                    + (f"its last analyze {fmt_s(r['age_s'])} ago" if r["analyzed"] else "it was created, never analyzed"),
                    location=f"{r['schemaname']}.{r['relname']}", observed=f"{r['n_mod_since_analyze']} changes",
                    expected="statistics refreshed") for r in rows]


@probe("PF-07", "pg.autovacuum-enabled", "Autovacuum runs server-wide and on every table", engines="postgresql",
       anchors=("PH", "PC F001/F008", "CP last_autovacuum"),
       fix="autovacuum = on and track_counts = on; ALTER TABLE ... RESET (autovacuum_enabled, "
           "toast.autovacuum_enabled).")
def autovacuum_enabled(db, p):
    """autovacuum and track_counts on (High when off); no table with autovacuum_enabled = false."""
    out = []
    for name in ("autovacuum", "track_counts"):
        value = setting(db, name)
        if value is not None and not is_on(value):
            out.append(Finding(f"{name} is off: dead rows and wraparound are left to manual VACUUM", location=name,
                               observed=value, expected="on", severity="High"))
    rows = db.rows(f"""
        SELECT n.nspname AS schema_name, c.relname AS table_name, array_to_string(c.reloptions, ',') AS opts,
               array_to_string(t.reloptions, ',') AS toast_opts
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_class t ON t.oid = c.reltoastrelid
        WHERE c.relkind IN ('r', 'm') AND {USER_SCHEMAS}
          AND ('autovacuum_enabled=false' = ANY (c.reloptions) OR 'autovacuum_enabled=off' = ANY (c.reloptions)
               OR 'autovacuum_enabled=false' = ANY (t.reloptions) OR 'autovacuum_enabled=off' = ANY (t.reloptions))
        ORDER BY 1, 2""")
    for r in rows:
        which = "its TOAST table" if "autovacuum_enabled" not in (r["opts"] or "") else "the table"
        out.append(Finding(f"autovacuum is disabled on {which} {r['schema_name']}.{r['table_name']}",
                           location=f"{r['schema_name']}.{r['table_name']}", observed="autovacuum_enabled=false",
                           expected="autovacuum enabled", severity="High"))
    return out


@probe("PF-07", "pg.xid-wraparound", "Transaction and multixact IDs are far from wraparound", engines="postgresql",
       thresholds={"xid_age_max": 1_300_000_000, "xid_age_critical": 1_400_000_000},
       anchors=("CP txn_wraparound 1.3 B/1.4 B", "CP autovac_freeze", "PH 'not vacuuming properly'", "PC F002"),
       fix="VACUUM (FREEZE) the oldest tables (VACUUM (FREEZE, VERBOSE) in the database named); remove what holds "
           "the horizon: long transactions, prepared transactions, stale replication slots.")
def xid_wraparound(db, p):
    """age(datfrozenxid) and mxid_age(datminmxid) of every database (wraparound stops the whole cluster),
    with the oldest tables of this database named; 1.3 B High, 1.4 B Critical (2^31 is the hard limit)."""
    warn, crit = int(p.threshold("xid_age_max")), int(p.threshold("xid_age_critical"))
    rows = db.rows("""SELECT datname, age(datfrozenxid) AS xid_age, mxid_age(datminmxid) AS mxid_age
                      FROM pg_catalog.pg_database ORDER BY 2 DESC""")
    freeze_max = int(setting(db, "autovacuum_freeze_max_age") or 200_000_000)
    p.note("oldest XID age " + ", ".join(f"{r['datname']} {r['xid_age']}" for r in rows[:3])
           + f" (autovacuum_freeze_max_age {freeze_max})")
    out = []
    for r in rows:
        for kind, age in (("transaction ID", int(r["xid_age"])), ("multixact ID", int(r["mxid_age"]))):
            if age <= warn:
                continue
            where = r["datname"]
            if r["datname"] == db.database:
                age_of = ("greatest(age(c.relfrozenxid), coalesce(age(t.relfrozenxid), 0))" if kind == "transaction ID"
                          else "greatest(mxid_age(c.relminmxid), coalesce(mxid_age(t.relminmxid), 0))")
                tables = db.rows(f"""
                    SELECT n.nspname || '.' || c.relname AS name
                    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    LEFT JOIN pg_catalog.pg_class t ON t.oid = c.reltoastrelid
                    WHERE c.relkind IN ('r', 'm') AND {USER_SCHEMAS}
                    ORDER BY {age_of} DESC LIMIT 3""")
                where += " (oldest: " + ", ".join(t["name"] for t in tables) + ")"
            out.append(Finding(f"{kind} age of database {where} is {age:,}; wraparound protection stops writes at "
                               f"{2**31 - 3_000_000:,}", location=r["datname"], observed=age, expected=f"<= {warn:,}",
                               severity="Critical" if age > crit else "High"))
    return out


@probe("SD-04", "pg.disabled-triggers", "No trigger is disabled, including the triggers enforcing foreign keys",
       engines="postgresql", anchors=("CP disabled_triggers 1/1", "PM"),
       fix="ALTER TABLE ... ENABLE TRIGGER ...; after ALTER TABLE ... DISABLE TRIGGER ALL, re-check the foreign keys "
           "(rows may violate them).")
def disabled_triggers(db, p):
    """pg_trigger.tgenabled = 'D': a disabled user trigger skips its rule; a disabled internal trigger means a
    foreign key is not enforced (left behind by DISABLE TRIGGER ALL for a bulk load)."""
    rows = db.rows(f"""
        SELECT n.nspname AS schema_name, c.relname AS table_name, t.tgname, t.tgisinternal,
               coalesce(k.conname, '') AS constraint_name
        FROM pg_catalog.pg_trigger t
        JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_constraint k ON k.oid = t.tgconstraint
        WHERE t.tgenabled = 'D' AND {USER_SCHEMAS}
        ORDER BY 1, 2, 3""")
    out, fks = [], set()
    for r in rows:
        where = f"{r['schema_name']}.{r['table_name']}"
        if r["tgisinternal"]:
            key = (where, r["constraint_name"])
            if key not in fks:
                fks.add(key)
                out.append(Finding(f"constraint {r['constraint_name'] or '?'} on {where} is not enforced: its internal "
                                   "trigger is disabled", location=where, observed="trigger disabled",
                                   expected="enabled", severity="High"))
        else:
            out.append(Finding(f"trigger {r['tgname']} on {where} is disabled", location=where,
                               observed="disabled", expected="enabled"))
    return out
