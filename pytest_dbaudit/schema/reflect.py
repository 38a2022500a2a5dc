"""Live reflection into the Schema model with a fixed number of bulk catalog queries.

Four queries on PostgreSQL, five on MySQL/MariaDB, three on SQLite, whatever the number of
tables: SQLAlchemy's per-table inspector would make 10 000 tables cost 10 000+ round trips.
Sizes are the planner's estimates (relpages, TABLE_ROWS), so reflection never touches data files.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .model import Column, ForeignKey, Index, Schema, Table

_PG_SCOPE = """
  SELECT c.oid, n.nspname, c.relname, c.relkind, c.reltuples, c.relpages, c.relpersistence
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = 'pg_catalog.pg_class'::regclass
                    AND e.objid = c.oid AND e.deptype = 'e')
"""
_PG_TABLES = f"""
WITH t AS ({_PG_SCOPE})
SELECT t.oid, t.nspname AS schema, t.relname AS name, t.relkind = 'p' AS partitioned,
       t.relpersistence = 'u' AS unlogged,
       CASE WHEN t.reltuples < 0 THEN NULL ELSE t.reltuples::bigint END AS rows,
       t.relpages::bigint * current_setting('block_size')::bigint AS size_bytes, d.description AS comment
FROM t LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
ORDER BY 2, 3
"""
_PG_COLUMNS = f"""
WITH t AS ({_PG_SCOPE})
SELECT a.attrelid AS oid, a.attnum, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       NOT a.attnotnull AS nullable, a.attidentity <> '' AS identity,
       CASE WHEN a.atthasdef THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END AS "default", d.description AS comment
FROM t JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_attrdef ad ON a.atthasdef AND ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = a.attrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = a.attnum
ORDER BY a.attrelid, a.attnum
"""
# Key columns come back as attribute numbers and are named from the columns query: the server
# would otherwise run a subquery per constraint and deparse every index column.
_PG_CONSTRAINTS = f"""
WITH t AS ({_PG_SCOPE})
SELECT k.conrelid AS oid, k.conname AS name, k.contype AS type, k.convalidated AS validated,
       k.confdeltype AS on_delete, k.conkey AS columns, k.confrelid AS ref_oid, k.confkey AS ref_columns,
       CASE WHEN k.confrelid <> 0 THEN k.confrelid::regclass::text END AS ref_name,
       CASE WHEN k.contype = 'c' THEN pg_catalog.pg_get_constraintdef(k.oid, true) END AS definition
FROM t JOIN pg_catalog.pg_constraint k ON k.conrelid = t.oid AND k.contype IN ('p', 'u', 'f', 'c')
ORDER BY k.conrelid, k.conname
"""
_PG_INDEXES = f"""
WITH t AS ({_PG_SCOPE})
SELECT i.indrelid AS oid, ic.relname AS name, i.indisunique AS "unique", i.indisprimary AS "primary",
       i.indisvalid AS valid, am.amname AS method, i.indnkeyatts AS nkeys, i.indkey::int2[] AS keys,
       CASE WHEN i.indpred IS NOT NULL THEN pg_catalog.pg_get_expr(i.indpred, i.indrelid, true) ELSE '' END AS predicate,
       CASE WHEN i.indexprs IS NOT NULL THEN ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, true)
                                                   FROM generate_series(1, i.indnkeyatts) k ORDER BY k) END AS exprs,
       ic.relpages::bigint * current_setting('block_size')::bigint AS size_bytes,
       pg_catalog.pg_stat_get_numscans(i.indexrelid) AS scans
FROM t JOIN pg_catalog.pg_index i ON i.indrelid = t.oid
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
ORDER BY i.indrelid, ic.relname
"""


def reflect(db: Any) -> Schema:
    """The live database's schema (memoized per target)."""
    return db.memo("schema", _reflect)


# Migration tools' own bookkeeping tables: their shape is the tool's, not the application's design.
LEDGERS = {"alembic_version", "django_migrations", "flyway_schema_history", "schema_migrations",
           "ar_internal_metadata", "databasechangelog", "databasechangeloglock", "knex_migrations",
           "knex_migrations_lock", "sequelizemeta", "migrations", "goose_db_version", "_prisma_migrations",
           "typeorm_metadata", "gorp_migrations"}


def _reflect(db: Any) -> Schema:
    fn = {"postgresql": _postgres, "mysql": _mysql, "sqlite": _sqlite}[db.dialect]
    schema = Schema(source=f"live {db.target.label}", dialect=db.dialect)
    fn(db, schema)
    for key in [k for k, t in schema.tables.items() if t.name.lower() in LEDGERS]:
        del schema.tables[key]
    return schema


def _postgres(db: Any, schema: Schema) -> None:
    # Tuples straight from the driver: these four reads return ~100 000 rows on 10 000 tables, where
    # building a dict per row would cost more than the server's work.
    by_oid: dict[int, Table] = {}
    for oid, nsp, name, partitioned, unlogged, rows, size, comment in db.tuples(_PG_TABLES):
        t = schema.add(Table(name, nsp, rows=rows, size_bytes=size, comment=comment or "", partitioned=partitioned))
        t.extra["unlogged"] = unlogged
        by_oid[oid] = t
    names: dict[tuple[int, int], str] = {}
    for oid, attnum, name, typ, nullable, identity, default, comment in db.tuples(_PG_COLUMNS):
        t = by_oid.get(oid)
        if t is not None:
            names[(oid, attnum)] = name
            t.columns[name] = Column(name, typ, nullable, default,
                                     bool(identity) or (default or "").startswith("nextval("), comment or "")

    def named(oid: int, nums) -> tuple[str, ...]:
        return tuple(names.get((oid, n), f"#{n}") for n in nums or ())

    for oid, name, kind, validated, on_delete, cols, ref_oid, ref_cols, ref_name, definition in db.tuples(_PG_CONSTRAINTS):
        t = by_oid.get(oid)
        if t is None:
            continue
        columns = named(oid, cols)
        if kind == "p":
            t.primary_key = columns
        elif kind == "u":
            t.uniques.append(columns)
        elif kind == "f":
            ref = by_oid.get(ref_oid)
            t.foreign_keys.append(ForeignKey(name, columns, ref.qualname if ref else ref_name, named(ref_oid, ref_cols),
                                             bool(validated), {"c": "cascade", "n": "set null"}.get(on_delete, "")))
        elif kind == "c":
            t.checks.append(definition or name)
            if not validated:
                t.extra.setdefault("unvalidated_checks", []).append(name)
    for oid, name, unique, primary, valid, method, nkeys, keys, predicate, exprs, size, scans in db.tuples(_PG_INDEXES):
        t = by_oid.get(oid)
        if t is None:
            continue
        cols = tuple(_unquote(c) for c in exprs) if exprs else named(oid, list(keys or ())[:nkeys])
        t.indexes.append(Index(name, cols, bool(unique), bool(primary), predicate, method, bool(valid), size, scans))


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if len(name) > 1 and name[0] == name[-1] == '"' else name


_MY_SCOPE = ("{alias}.TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') "
             "AND (DATABASE() IS NULL OR {alias}.TABLE_SCHEMA = DATABASE())")
_MY_TABLES = f"""
SELECT t.TABLE_SCHEMA AS `schema`, t.TABLE_NAME AS name, t.ENGINE AS engine, t.TABLE_ROWS AS `rows`,
       t.DATA_LENGTH + t.INDEX_LENGTH AS size_bytes, t.TABLE_COMMENT AS comment, t.CREATE_OPTIONS AS options
FROM information_schema.TABLES t WHERE t.TABLE_TYPE = 'BASE TABLE' AND {_MY_SCOPE.format(alias='t')}
ORDER BY 1, 2
"""
_MY_COLUMNS = f"""
SELECT c.TABLE_SCHEMA AS `schema`, c.TABLE_NAME AS tbl, c.COLUMN_NAME AS name, c.COLUMN_TYPE AS type,
       c.IS_NULLABLE = 'YES' AS nullable, c.COLUMN_DEFAULT AS `default`, c.EXTRA LIKE '%auto_increment%' AS identity,
       c.COLUMN_COMMENT AS comment
FROM information_schema.COLUMNS c JOIN information_schema.TABLES t
  ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE'
WHERE {_MY_SCOPE.format(alias='c')}
ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION
"""
_MY_INDEXES = f"""
SELECT s.TABLE_SCHEMA AS `schema`, s.TABLE_NAME AS tbl, s.INDEX_NAME AS name, s.NON_UNIQUE = 0 AS `unique`,
       s.INDEX_TYPE AS method, s.SEQ_IN_INDEX AS seq, COALESCE(s.COLUMN_NAME, '(expression)') AS col
FROM information_schema.STATISTICS s WHERE {_MY_SCOPE.format(alias='s')}
ORDER BY s.TABLE_SCHEMA, s.TABLE_NAME, s.INDEX_NAME, s.SEQ_IN_INDEX
"""
_MY_FKS = f"""
SELECT k.TABLE_SCHEMA AS `schema`, k.TABLE_NAME AS tbl, k.CONSTRAINT_NAME AS name, k.COLUMN_NAME AS col,
       k.REFERENCED_TABLE_SCHEMA AS ref_schema, k.REFERENCED_TABLE_NAME AS ref_table, k.REFERENCED_COLUMN_NAME AS ref_col,
       r.DELETE_RULE AS on_delete
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
WHERE k.REFERENCED_TABLE_NAME IS NOT NULL AND {_MY_SCOPE.format(alias='k')}
ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION
"""
_MY_CHECKS = f"""
SELECT tc.TABLE_SCHEMA AS `schema`, tc.TABLE_NAME AS tbl, tc.CONSTRAINT_NAME AS name, cc.CHECK_CLAUSE AS clause
FROM information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.CHECK_CONSTRAINTS cc
  ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
WHERE tc.CONSTRAINT_TYPE = 'CHECK' AND {_MY_SCOPE.format(alias='tc')}
"""


def _mysql(db: Any, schema: Schema) -> None:
    def key(r: dict) -> str:
        return f"{r['schema']}.{r['tbl']}"

    for r in db.rows(_MY_TABLES):
        t = schema.add(Table(r["name"], r["schema"], rows=r["rows"], size_bytes=r["size_bytes"],
                             comment=r["comment"] or "", engine=r["engine"] or ""))
        t.partitioned = "partitioned" in (r["options"] or "").lower()
    for r in db.rows(_MY_COLUMNS):
        t = schema.tables.get(key(r))
        if t is not None:
            default = None if r["default"] in (None, "NULL") else r["default"]  # MariaDB spells "no default" NULL
            t.columns[r["name"]] = Column(r["name"], r["type"].lower(), bool(r["nullable"]), default,
                                          bool(r["identity"]), r["comment"] or "")
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in db.rows(_MY_INDEXES):
        grouped[(key(r), r["name"])].append(r)
    for (tkey, name), parts in grouped.items():
        t = schema.tables.get(tkey)
        if t is None:
            continue
        cols = tuple(p["col"] for p in parts)
        if name == "PRIMARY":
            t.primary_key = cols
        t.indexes.append(Index(name, cols, bool(parts[0]["unique"]), name == "PRIMARY",
                               method=(parts[0]["method"] or "btree").lower()))
    fks: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in db.rows(_MY_FKS):
        fks[(key(r), r["name"])].append(r)
    for (tkey, name), parts in fks.items():
        t = schema.tables.get(tkey)
        if t is not None:
            t.foreign_keys.append(ForeignKey(name, tuple(p["col"] for p in parts),
                                             f"{parts[0]['ref_schema']}.{parts[0]['ref_table']}",
                                             tuple(p["ref_col"] for p in parts),
                                             on_delete=(parts[0]["on_delete"] or "").lower()))
    try:
        checks = db.rows(_MY_CHECKS)
    except Exception:  # MySQL < 8.0.16 has no CHECK_CONSTRAINTS view: checks stay unknown, the rest is whole
        schema.problems.append("information_schema.CHECK_CONSTRAINTS is not available: CHECK constraints not read")
        checks = []
    for r in checks:
        t = schema.tables.get(key(r))
        if t is not None:
            t.checks.append(r["clause"] or r["name"])


_LITE_COLUMNS = """
SELECT m.name AS tbl, p.name, p.type, p."notnull" AS not_null, p.dflt_value AS dflt, p.pk,
       m.sql LIKE '%AUTOINCREMENT%' AS autoinc, m.sql AS ddl
FROM sqlite_master m JOIN pragma_table_info(m.name) p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY m.name, p.cid
"""
_LITE_INDEXES = """
SELECT m.name AS tbl, il.name, il."unique" AS is_unique, il.origin, il.partial, ii.seqno, ii.name AS col
FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY m.name, il.name, ii.seqno
"""
_LITE_FKS = """
SELECT m.name AS tbl, f.id, f.seq, f."table" AS ref_table, f."from" AS col, f."to" AS ref_col, f.on_delete
FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY m.name, f.id, f.seq
"""


def _sqlite(db: Any, schema: Schema) -> None:
    pks: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for r in db.rows(_LITE_COLUMNS):
        t = schema.tables.get(r["tbl"]) or schema.add(Table(r["tbl"]))
        t.extra["strict"] = " strict" in (r["ddl"] or "").lower().rsplit(")", 1)[-1]
        typ = (r["type"] or "").lower()
        ident = bool(r["pk"]) and typ == "integer"  # INTEGER PRIMARY KEY is the rowid: auto-assigned
        t.columns[r["name"]] = Column(r["name"], typ, not r["not_null"] and not r["pk"], r["dflt"], ident)
        if r["pk"]:
            pks[r["tbl"]].append((r["pk"], r["name"]))
    for name, cols in pks.items():
        schema.tables[name].primary_key = tuple(c for _, c in sorted(cols))
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in db.rows(_LITE_INDEXES):
        grouped[(r["tbl"], r["name"])].append(r)
    for (tbl, name), parts in grouped.items():
        t = schema.tables.get(tbl)
        if t is None:
            continue
        cols = tuple(p["col"] or "(expression)" for p in parts)
        if parts[0]["origin"] == "pk":
            continue  # the PK's own autoindex; the primary key is already recorded
        if parts[0]["origin"] == "u":
            t.uniques.append(cols)
        t.indexes.append(Index(name, cols, bool(parts[0]["is_unique"]), predicate="(partial)" if parts[0]["partial"] else ""))
    fks: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in db.rows(_LITE_FKS):
        fks[(r["tbl"], r["id"])].append(r)
    for (tbl, fid), parts in fks.items():
        t = schema.tables.get(tbl)
        if t is not None:
            ref = schema.tables.get(parts[0]["ref_table"])
            ref_cols = tuple(p["ref_col"] or "" for p in parts)
            if not any(ref_cols) and ref is not None:
                ref_cols = ref.primary_key  # REFERENCES t without columns means t's primary key
            t.foreign_keys.append(ForeignKey(f"fk_{tbl}_{fid}", tuple(p["col"] for p in parts), parts[0]["ref_table"],
                                             ref_cols, on_delete=(parts[0]["on_delete"] or "").lower()))
