"""MySQL and MariaDB live probes: sizes, limits, storage engines and key headroom."""

from __future__ import annotations

import re

from ...outcomes import Finding, Undecided
from ..probe import probe
from .facts import mb, stat, tables, var

INT_MAX = {"tinyint": 127, "smallint": 32767, "mediumint": 8388607, "int": 2147483647, "integer": 2147483647,
           "bigint": 9223372036854775807}


@probe("CA-01", "my.size-inventory", "Database and largest table sizes are measured", engines="mysql",
       needs=("select_all",), thresholds={"size_inventory_top_n": 5}, anchors=("live:CA-02", "PgHero space"),
       fix="Record the sizes in each audit report so growth can be compared (CA-02).")
def size_inventory(db, p):
    rows = tables(db)
    total = sum(mb(t["DATA_LENGTH"]) + mb(t["INDEX_LENGTH"]) for t in rows)
    p.note(f"database {db.database}: {len(rows)} table(s), {total:.1f} MB data + indexes")
    top = sorted(rows, key=lambda t: -(float(t["DATA_LENGTH"] or 0) + float(t["INDEX_LENGTH"] or 0)))
    for t in top[:int(p.threshold("size_inventory_top_n"))]:
        p.note(f"{t['TABLE_NAME']}: {mb(t['DATA_LENGTH']):.1f} MB data, {mb(t['INDEX_LENGTH']):.1f} MB indexes, "
               f"~{t['TABLE_ROWS']} rows ({t['ENGINE']})")
    return []


@probe("CA-01", "my.open-files-headroom", "Open files and tables stay below the server limits", engines="mysql",
       thresholds={"max_open_files_ratio": 0.85}, anchors=("MySQLTuner open files > 85 %",),
       fix="Raise open_files_limit (and LimitNOFILE of the service) with table_open_cache.")
def open_files_headroom(db, p):
    opened, limit = stat(db, "Open_files"), float(var(db, "open_files_limit") or 0)
    if opened is None or not limit:
        raise Undecided("Open_files / open_files_limit are not reported")
    ratio = opened / limit
    p.note(f"Open_files {opened:.0f} of open_files_limit {limit:.0f} ({ratio:.0%}); Open_tables "
           f"{stat(db, 'Open_tables')} of table_open_cache {var(db, 'table_open_cache')}")
    most = float(p.threshold("max_open_files_ratio"))
    return [Finding(f"{ratio:.0%} of the open-files limit in use", observed=f"{opened:.0f}/{limit:.0f}",
                    expected=f"< {most:.0%}")] if ratio > most else []


@probe("AT-06", "my.large-unpartitioned", "Very large tables are partitioned", engines="mysql",
       needs=("select_all",), thresholds={"partition_min_table_rows": 100_000_000},
       anchors=("live:CA-04",),
       fix="Partition by a date or tenant range that matches the purge and query pattern (pt-online-schema-change "
           "or gh-ost for the rebuild), or archive old rows.")
def large_unpartitioned(db, p):
    min_gb, min_rows = float(p.threshold("partition_min_table_gb")), float(p.threshold("partition_min_table_rows"))
    out = []
    rows = tables(db)
    for t in rows:
        gb = (float(t["DATA_LENGTH"] or 0) + float(t["INDEX_LENGTH"] or 0)) / 1024 ** 3
        n = float(t["TABLE_ROWS"] or 0)
        if (gb >= min_gb or n >= min_rows) and "partitioned" not in str(t["CREATE_OPTIONS"] or "").lower():
            out.append(Finding(f"table {db.database}.{t['TABLE_NAME']} ({gb:.3g} GB, ~{n:.0f} rows) is not partitioned",
                               location=f"{db.database}.{t['TABLE_NAME']}", observed=f"{gb:.3g} GB",
                               expected=f"partitioned above {min_gb:g} GB / {min_rows:.0f} rows"))
    p.note(f"{len(rows)} table(s) checked")
    return out


@probe("SD-01", "my.non-innodb-tables", "Tables use a transactional, crash-safe engine (InnoDB)", engines="mysql",
       needs=("select_all",), anchors=("live:SD-10", "MySQLTuner structstat non-InnoDB", "live:SD-13"),
       fix="ALTER TABLE ... ENGINE = InnoDB: MyISAM/Aria/MEMORY tables lose or corrupt data on a crash, lock whole "
           "tables, are skipped by Galera and break consistent hot backups.")
def non_innodb_tables(db, p):
    rows = tables(db)
    p.note(f"{len(rows)} table(s): engines {sorted({str(t['ENGINE']) for t in rows})}")
    return [Finding(f"table {db.database}.{t['TABLE_NAME']} uses {t['ENGINE']}", location=f"{db.database}.{t['TABLE_NAME']}",
                    observed=t["ENGINE"], expected="InnoDB", severity="High" if str(t["ENGINE"]).upper() == "MEMORY" else None)
            for t in rows if t["ENGINE"] and str(t["ENGINE"]).lower() != "innodb"]


@probe("SD-06", "my.auto-increment-headroom", "AUTO_INCREMENT counters are far from their column type's maximum",
       engines="mysql", needs=("select_all",), anchors=("live:SD-02", "MySQLTuner AUTO_INCREMENT 75 %",
                                                        "PgHero sequences 90 %", "sys.schema_auto_increment_columns"),
       fix="ALTER TABLE ... MODIFY id BIGINT UNSIGNED AUTO_INCREMENT (online DDL tool for large tables) before the "
           "counter reaches the maximum; inserts fail once it does.")
def auto_increment_headroom(db, p):
    rows = db.rows("""SELECT t.TABLE_NAME, t.AUTO_INCREMENT, c.COLUMN_NAME, c.COLUMN_TYPE
        FROM information_schema.TABLES t JOIN information_schema.COLUMNS c
          ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME AND c.EXTRA LIKE '%auto_increment%'
        WHERE t.TABLE_SCHEMA = :s AND t.AUTO_INCREMENT IS NOT NULL""", s=db.database)
    limit = float(p.threshold("max_id_usage_ratio"))
    if db.flavor == "mysql":  # MySQL 8 caches TABLES statistics (information_schema_stats_expiry)
        p.note(f"information_schema_stats_expiry = {var(db, 'information_schema_stats_expiry')} s: counters may be "
               "that old")
    out = []
    for r in rows:
        ctype = str(r["COLUMN_TYPE"]).lower()
        base = re.match(r"[a-z]+", ctype).group(0)
        if base not in INT_MAX:
            continue
        top = INT_MAX[base] * 2 + 1 if "unsigned" in ctype else INT_MAX[base]
        ratio = float(r["AUTO_INCREMENT"] or 0) / top
        if ratio >= limit:
            out.append(Finding(f"{db.database}.{r['TABLE_NAME']}.{r['COLUMN_NAME']} ({ctype}) is at {ratio:.1%} of its "
                               f"maximum (next value {r['AUTO_INCREMENT']})",
                               location=f"{db.database}.{r['TABLE_NAME']}.{r['COLUMN_NAME']}", observed=f"{ratio:.1%}",
                               expected=f"< {limit:.0%}", severity="Critical" if ratio >= 0.9 else "High"))
    p.note(f"{len(rows)} AUTO_INCREMENT column(s) checked")
    return out


@probe("MO-08", "my.fragmented-tables", "Tables do not carry much free (fragmented) space", engines="mysql",
       needs=("select_all",), thresholds={"max_data_free_ratio": 0.1, "min_data_free_mb": 100},
       anchors=("live:PF-09", "MySQLTuner fragmented tables 10 % and 100 MB"),
       fix="OPTIMIZE TABLE (an online rebuild for InnoDB) in a quiet window, or pt-online-schema-change / gh-ost "
           "with a no-op ALTER on big tables.")
def fragmented_tables(db, p):
    ratio_max, min_mb = float(p.threshold("max_data_free_ratio")), float(p.threshold("min_data_free_mb"))
    per_table = str(var(db, "innodb_file_per_table", "ON")).upper() in ("ON", "1")
    out = []
    for t in tables(db):
        if str(t["ENGINE"]).lower() == "innodb" and not per_table:
            continue  # DATA_FREE is the shared system tablespace's, not the table's
        free, used = mb(t["DATA_FREE"]), mb(t["DATA_LENGTH"]) + mb(t["INDEX_LENGTH"])
        if free >= min_mb and free / (free + used or 1) > ratio_max:
            out.append(Finding(f"table {db.database}.{t['TABLE_NAME']} has {free:.0f} MB free of {free + used:.0f} MB",
                               location=f"{db.database}.{t['TABLE_NAME']}", observed=f"{free / (free + used):.0%}",
                               expected=f"<= {ratio_max:.0%} or < {min_mb:g} MB"))
    p.note(f"innodb_file_per_table = {var(db, 'innodb_file_per_table')}")
    return out
