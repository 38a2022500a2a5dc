"""A comparable description of a database schema, for before/after comparisons in drills.

``schema_text(conn)`` reads it as one text: a line per table, then one per column (type, nullability,
default), primary key, foreign key, unique constraint and index, in a fixed order. Two states of a
schema compare as two strings, which is all a drill does as long as they are equal. ``parse(text)``
turns a text into per-table dicts and ``diff`` explains the difference in readable lines; only a
failed comparison pays for that. ``fingerprint(conn)`` is the parsed form directly.

On PostgreSQL the text comes from one catalog query (prepared once per connection); on MySQL and
MariaDB from ``information_schema``; elsewhere from SQLAlchemy's reflection.
"""

from __future__ import annotations

from typing import Any

IGNORED_TABLES = {"alembic_version"}
SEP = "\x1f"  # between the fields of a line; a line that starts with it belongs to the table above it


def fingerprint(bind: Any, _memo: dict | None = None) -> dict[str, Any]:
    """Tables with columns (type, nullability, default), primary key, foreign keys, indexes, uniques.

    ``bind`` is an engine (one connection is opened for the whole fingerprint) or a connection. The
    second argument is accepted for callers that still pass a per-database memo; nothing needs one."""
    return parse(schema_text(bind))


def schema_text(bind: Any) -> str:
    """The schema of the connection's default schema as one text (see the module docstring).

    On a connection inside a transaction it sees that transaction's own uncommitted DDL."""
    import sqlalchemy as sa

    if isinstance(bind, sa.engine.Engine):
        with bind.connect() as conn:
            return schema_text(conn)
    dialect = bind.dialect.name
    if dialect == "postgresql":
        return SchemaReader().read(bind)
    if dialect in ("mysql", "mariadb"):
        return _mysql_text(bind)
    return _render(_reflected(bind))


def parse(text: str) -> dict[str, Any]:
    """A ``schema_text`` as ``{table: {"columns": {name: {type, nullable, default}}, "pk": [...], "fks": [...],
    "indexes": [...], "uniques": [...]}}``, the form ``diff`` compares."""
    out: dict[str, Any] = {}
    table: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.startswith(SEP):
            table = out[line] = {"columns": {}, "pk": [], "fks": [], "indexes": [], "uniques": []}
            continue
        kind, *fields = line[1:].split(SEP)
        if kind == "column":
            name, type_, null, default = fields
            table["columns"][name] = {"type": type_, "nullable": null == "null", "default": default or None}
        elif kind == "pk":
            table["pk"] = fields[0].split(", ")
        else:
            table[{"fk": "fks", "index": "indexes", "unique": "uniques"}[kind]].append(fields[0])
    return out


def _render(schema: dict[str, Any]) -> str:
    """``parse`` backwards, for the engines read through SQLAlchemy's reflection."""
    lines = []
    for name, t in sorted(schema.items()):
        lines.append(name)
        for col, c in sorted(t["columns"].items()):
            lines.append(SEP.join(("", "column", col, c["type"], "null" if c["nullable"] else "not null",
                                   c["default"] or "")))
        if t["pk"]:
            lines.append(SEP.join(("", "pk", ", ".join(t["pk"]))))
        for kind, key in (("fk", "fks"), ("unique", "uniques"), ("index", "indexes")):
            lines.extend(SEP.join(("", kind, entry)) for entry in sorted(t[key]))
    return "\n".join(lines)


def _reflected(conn: Any) -> dict[str, Any]:
    """The parsed fingerprint through SQLAlchemy's Inspector: one call per kind of object for all tables."""
    import sqlalchemy as sa

    insp = sa.inspect(conn)
    names = sorted(t for t in insp.get_table_names() if t not in IGNORED_TABLES)
    if not names:
        return {}
    kw = {"filter_names": names}
    columns = _by_table(insp.get_multi_columns(**kw))
    pks = _by_table(insp.get_multi_pk_constraint(**kw))
    fks_all = _by_table(insp.get_multi_foreign_keys(**kw))
    indexes = _by_table(insp.get_multi_indexes(**kw))
    uniques = _by_table(insp.get_multi_unique_constraints(**kw))
    out: dict[str, Any] = {}
    for table in names:
        cols = {c["name"]: {"type": str(c["type"]), "nullable": bool(c["nullable"]),
                            "default": None if c.get("default") is None else str(c["default"])}
                for c in columns.get(table, [])}
        pk = (pks.get(table) or {}).get("constrained_columns") or []
        fks = [f"({', '.join(fk['constrained_columns'])}) -> {fk['referred_table']} "
               f"({', '.join(fk['referred_columns'])})" for fk in fks_all.get(table, [])]
        idx = [f"{i['name']} ({', '.join(str(c) for c in i['column_names'])}){' unique' if i['unique'] else ''}"
               for i in indexes.get(table, [])]
        uq = [", ".join(u["column_names"]) for u in uniques.get(table, [])]
        out[table] = {"columns": cols, "pk": pk, "fks": sorted(fks), "indexes": sorted(idx), "uniques": sorted(uq)}
    return out


def _by_table(multi: dict) -> dict[str, Any]:
    """``get_multi_*`` results are keyed by (schema, table); the default schema's schema is None."""
    return {table: value for (_schema, table), value in multi.items()}


# Per table, its block of lines: the table, then its columns by name (format_type(); a collation other than the
# default; an enum's labels, also for an array of one; the default or generation expression), primary key,
# foreign key and unique constraints by their column lists, and every index but the primary key's (key
# columns, an expression as written, the predicate of a partial index). Index lookups per table, through
# LATERAL, never scans of whole catalogs. (OFFSET 0: a constraint's line is computed once, not once more
# for its ORDER BY.)
_PG_BLOCKS = r"""
SELECT (SELECT value FROM token), {replaced},
       array_agg(t.oid::bigint),
       array_agg(t.relname || coalesce(cols.lines, '') || coalesce(cons.lines, '') || coalesce(idx.lines, ''))
  FROM t
  CROSS JOIN LATERAL (
    SELECT string_agg(E'\n\x1fcolumn\x1f' || a.attname || E'\x1f' || pg_catalog.format_type(a.atttypid, a.atttypmod)
             || CASE WHEN a.attcollation NOT IN (0, 100) THEN
                  (SELECT ' collate ' || quote_ident(co.collname) FROM pg_catalog.pg_collation co
                    WHERE co.oid = a.attcollation) ELSE '' END
             || CASE WHEN a.atttypid >= 16384 THEN
                  coalesce((SELECT ' (' || string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) || ')'
                              FROM pg_catalog.pg_type ty
                              JOIN pg_catalog.pg_enum e ON e.enumtypid IN (ty.oid, ty.typelem)
                             WHERE ty.oid = a.atttypid), '') ELSE '' END
             || CASE WHEN a.attnotnull THEN E'\x1fnot null\x1f' ELSE E'\x1fnull\x1f' END
             || CASE WHEN a.atthasdef THEN
                  (SELECT {generated} || pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attrdef d
                    WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum) ELSE '' END,
             '' ORDER BY a.attname COLLATE "C") AS lines
      FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
  ) cols
  CROSS JOIN LATERAL (
    SELECT string_agg(E'\n\x1f' || line, '' ORDER BY line COLLATE "C") AS lines FROM (
      SELECT CASE k.contype WHEN 'p' THEN 'pk' WHEN 'u' THEN 'unique' ELSE 'fk' END || E'\x1f'
             || CASE WHEN k.contype = 'f' THEN '(' ELSE '' END
             || (SELECT string_agg((SELECT ka.attname FROM pg_catalog.pg_attribute ka
                                     WHERE ka.attrelid = k.conrelid AND ka.attnum = x.attnum), ', ' ORDER BY x.n)
                   FROM unnest(k.conkey) WITH ORDINALITY x(attnum, n))
             || CASE WHEN k.contype = 'f' THEN ') -> ' || rc.relname || ' ('
                  || (SELECT string_agg((SELECT ra.attname FROM pg_catalog.pg_attribute ra
                                          WHERE ra.attrelid = k.confrelid AND ra.attnum = x.attnum), ', ' ORDER BY x.n)
                        FROM unnest(k.confkey) WITH ORDINALITY x(attnum, n))
                  || ')' ELSE '' END AS line
        FROM pg_catalog.pg_constraint k LEFT JOIN pg_catalog.pg_class rc ON rc.oid = k.confrelid
       WHERE k.conrelid = t.oid AND k.contype IN ('p', 'u', 'f') OFFSET 0) c
  ) cons
  CROSS JOIN LATERAL (
    SELECT string_agg(E'\n\x1findex\x1f' || ic.relname || ' ('
             || (SELECT string_agg(coalesce((SELECT ia.attname FROM pg_catalog.pg_attribute ia
                                              WHERE ia.attrelid = i.indrelid AND ia.attnum = x.attnum),
                                             pg_catalog.pg_get_indexdef(i.indexrelid, x.n::int, true)),
                                   ', ' ORDER BY x.n)
                   FROM unnest(i.indkey::int2[]) WITH ORDINALITY x(attnum, n) WHERE x.n <= i.{nkey})
             || ')' || CASE WHEN i.indisunique THEN ' unique' ELSE '' END
             || coalesce(' where ' || pg_catalog.pg_get_expr(i.indpred, i.indrelid), ''),
             '' ORDER BY ic.relname COLLATE "C") AS lines
      FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
     WHERE i.indrelid = t.oid AND NOT i.indisprimary
  ) idx
"""

# Which tables to read. The token names this backend's transaction (pid, virtual xid) and default schema.
# "changed": the tables whose blocks can have changed in this transaction. Every relation whose definition
# it changed holds a ShareUpdateExclusiveLock or stronger until its end (reads and row changes take the
# three weaker modes, left out here). A locked index stands for its table; a locked sequence for the
# tables whose defaults name it; a locked type (ALTER TYPE, ALTER DOMAIN) for the tables with a column of
# it or of an array of it (pg_depend records the columns of every type but the built-in ones); and the
# tables with a foreign key to any of those, whose lines name their columns. "all": every table. Either
# way the query returns the token, the tables read in place of the kept ones ('{}' when none changed,
# NULL for all) and the blocks. (OFFSET 0 keeps a LATERAL lookup a lookup by index: pulled up into a
# join, it becomes a scan of the whole catalog.)
_PG_TOKEN = r"""
WITH lk AS MATERIALIZED (
  SELECT l.locktype, l.relation, l.classid, l.objid, l.virtualxid FROM pg_catalog.pg_locks l
   WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype IN ('relation', 'object', 'virtualxid')
     AND l.mode NOT IN ('AccessShareLock', 'RowShareLock', 'RowExclusiveLock')
), nsp AS (
  SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = current_schema()
), token AS (
  SELECT pg_catalog.pg_backend_pid() || ' ' || coalesce((SELECT virtualxid FROM lk WHERE locktype = 'virtualxid'), '')
         || ' ' || coalesce((SELECT oid FROM nsp)::text, '') AS value
)"""
_PG_TABLES = {
    "changed": r""", locked AS (
  SELECT relation AS oid FROM lk WHERE locktype = 'relation'
  UNION SELECT i.indrelid FROM lk JOIN pg_catalog.pg_index i ON i.indexrelid = lk.relation
  UNION SELECT x.adrelid FROM lk
          CROSS JOIN LATERAL (SELECT s.oid FROM pg_catalog.pg_class s
                               WHERE s.oid = lk.relation AND s.relkind = 'S' OFFSET 0) seq
          CROSS JOIN LATERAL (
            SELECT ad.adrelid FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
             WHERE d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = seq.oid AND d.refobjsubid = 0
               AND d.classid = 'pg_catalog.pg_attrdef'::regclass OFFSET 0) x
         WHERE lk.locktype = 'relation'
  UNION SELECT x.objid FROM lk CROSS JOIN LATERAL (
          SELECT d.objid FROM pg_catalog.pg_type ty JOIN pg_catalog.pg_depend d
              ON d.refclassid = 'pg_catalog.pg_type'::regclass AND d.refobjid IN (ty.oid, ty.typarray)
             AND d.classid = 'pg_catalog.pg_class'::regclass
           WHERE ty.oid = lk.objid OFFSET 0) x
         WHERE lk.locktype = 'object' AND lk.classid = 'pg_catalog.pg_type'::regclass
), changed AS (
  SELECT oid FROM locked
  UNION SELECT k.conrelid FROM pg_catalog.pg_constraint k JOIN locked ON locked.oid = k.confrelid WHERE k.contype = 'f'
), t AS MATERIALIZED (
  SELECT c.oid, c.relname FROM changed CROSS JOIN LATERAL (
    SELECT c.oid, c.relname FROM pg_catalog.pg_class c
     WHERE c.oid = changed.oid AND c.relnamespace = (SELECT oid FROM nsp) AND c.relkind IN ('r', 'p')
       AND c.relpersistence <> 't' AND c.relname <> 'alembic_version' OFFSET 0) c
)""",
    "all": r""", t AS MATERIALIZED (
  SELECT c.oid, c.relname FROM pg_catalog.pg_class c
   WHERE c.relnamespace = (SELECT oid FROM nsp) AND c.relkind IN ('r', 'p') AND c.relpersistence <> 't'
     AND c.relname <> 'alembic_version'
)""",
}
_PG_REPLACED = {"changed": "coalesce((SELECT array_agg(oid::bigint) FROM changed), '{}')", "all": "NULL::bigint[]"}
_PG_PREPARED = "dbaudit_schema"


class SchemaReader:
    """``schema_text`` for one walk: on PostgreSQL, a read in the same transaction as the previous one re-reads
    only the tables that transaction changed (see ``_PG_TABLES``) and keeps the other tables' blocks.
    Elsewhere every read is a whole one."""

    def __init__(self) -> None:
        self._token: str | None = None
        self._blocks: dict[int, str] = {}  # table oid -> its block of lines
        self.changed = 0  # tables the last read re-read because its transaction changed them

    def committed(self) -> None:
        """The transaction of the last read has just committed, with nothing changed since that read: the next
        read, in a new transaction, carries on from it."""
        if self._token is not None:
            self._token = "*"

    def read(self, conn: Any) -> str:
        if conn.dialect.name != "postgresql":
            return schema_text(conn)
        if self._token is not None:
            token, replaced, oids, blocks = _pg_execute(conn, "changed")
            if self._token not in (token, "*"):  # another transaction came between: its locks are gone
                token, replaced, oids, blocks = _pg_execute(conn, "all")
        else:
            token, replaced, oids, blocks = _pg_execute(conn, "all")
        if replaced is None:
            self._blocks.clear()
        self.changed = 0 if replaced is None else len(oids or ())
        for oid in replaced or ():
            self._blocks.pop(oid, None)
        self._blocks.update(zip(oids or (), blocks or ()))
        self._token = token
        return "\n".join(sorted(self._blocks.values()))


def _pg_execute(conn: Any, which: str) -> tuple:
    """The "changed" or "all" query, both prepared on first use on each connection: planning them costs more
    than running them, and a drill reads the schema a few times per revision. Without parameters, so the
    server keeps one plan for each. Prepared statements survive rollbacks. Inside a transaction (a
    migration's own) a PREPARE that fails (a pooler in front of the server) must not abort it, hence the
    savepoint; where it fails the plain queries run."""
    import sqlalchemy as sa

    info = conn.connection.info  # lives as long as the driver's connection
    if _PG_PREPARED not in info:
        queries = {name: _pg_query(conn, name) for name in _PG_TABLES}
        try:
            with conn.begin_nested() if conn.in_transaction() else conn.begin():
                for name, sql in queries.items():
                    conn.exec_driver_sql(f"PREPARE {_PG_PREPARED}_{name} AS {sql}")
            info[_PG_PREPARED] = None
        except sa.exc.DBAPIError:
            info[_PG_PREPARED] = queries
    plain = info[_PG_PREPARED]
    # The driver's own cursor: a drill reads hundreds of times, and SQLAlchemy's statement handling would
    # add a third to each small read. Errors still escape to the drill, which reports them.
    cursor = conn.connection.cursor()
    try:
        cursor.execute(plain[which] if plain else f"EXECUTE {_PG_PREPARED}_{which}")
        return cursor.fetchone()
    finally:
        cursor.close()


def _pg_query(conn: Any, which: str) -> str:
    version = conn.dialect.server_version_info or (0,)
    return _PG_TOKEN + _PG_TABLES[which] + _PG_BLOCKS.format(
        replaced=_PG_REPLACED[which], nkey="indnkeyatts" if version >= (11,) else "indnatts",
        generated="CASE WHEN a.attgenerated <> '' THEN 'generated ' ELSE '' END" if version >= (12,) else "''")


# information_schema, one row per line; sorted in Python, as the server's collation may not be binary.
# A column's default is whatever the server fills it with: COLUMN_DEFAULT as the server shows it, EXTRA
# (auto_increment, ON UPDATE..., VIRTUAL GENERATED) and the generation expression; '' when none.
_MYSQL_QUERY = """
SELECT TABLE_NAME, '' FROM information_schema.TABLES
 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> 'alembic_version'
UNION ALL
SELECT TABLE_NAME, CONCAT_WS(CHAR(31 USING utf8mb4), '', 'column', COLUMN_NAME,
         COLUMN_TYPE, IF(IS_NULLABLE = 'YES', 'null', 'not null'),
         CONCAT_WS(' ', COLUMN_DEFAULT, NULLIF(EXTRA, ''), NULLIF(GENERATION_EXPRESSION, '')))
  FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'alembic_version'
UNION ALL
SELECT TABLE_NAME, CONCAT_WS(CHAR(31 USING utf8mb4), '', IF(INDEX_NAME = 'PRIMARY', 'pk', 'index'),
         CONCAT(IF(INDEX_NAME = 'PRIMARY', '', CONCAT(INDEX_NAME, ' (')),
                GROUP_CONCAT(COALESCE(COLUMN_NAME, 'expression') ORDER BY SEQ_IN_INDEX SEPARATOR ', '),
                IF(INDEX_NAME = 'PRIMARY', '', CONCAT(')', IF(MAX(NON_UNIQUE) = 0, ' unique', '')))))
  FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> 'alembic_version'
 GROUP BY TABLE_NAME, INDEX_NAME
UNION ALL
SELECT TABLE_NAME, CONCAT_WS(CHAR(31 USING utf8mb4), '', 'fk',
         CONCAT('(', GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION SEPARATOR ', '), ') -> ',
                MAX(REFERENCED_TABLE_NAME), ' (',
                GROUP_CONCAT(REFERENCED_COLUMN_NAME ORDER BY ORDINAL_POSITION SEPARATOR ', '), ')'))
  FROM information_schema.KEY_COLUMN_USAGE
 WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL AND TABLE_NAME <> 'alembic_version'
 GROUP BY TABLE_NAME, CONSTRAINT_NAME
"""


def _mysql_text(conn: Any) -> str:
    rows = sorted(conn.exec_driver_sql(_MYSQL_QUERY).all())
    return "\n".join(line or table for table, line in rows)


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = []
    for t in sorted(set(before) - set(after)):
        lines.append(f"table {t} missing")
    for t in sorted(set(after) - set(before)):
        lines.append(f"table {t} left behind")
    for t in sorted(set(before) & set(after)):
        b, a = before[t], after[t]
        for c in sorted(set(b["columns"]) - set(a["columns"])):
            lines.append(f"column {t}.{c} missing")
        for c in sorted(set(a["columns"]) - set(b["columns"])):
            lines.append(f"column {t}.{c} left behind")
        for c in sorted(set(a["columns"]) & set(b["columns"])):
            if a["columns"][c] != b["columns"][c]:
                lines.append(f"column {t}.{c} changed: {_column(b['columns'][c])} -> {_column(a['columns'][c])}")
        if b["pk"] != a["pk"]:
            lines.append(f"primary key of {t} changed: ({', '.join(b['pk'])}) -> ({', '.join(a['pk'])})")
        for key, what in (("indexes", "index"), ("fks", "foreign key"), ("uniques", "unique constraint")):
            for entry in sorted(set(b[key]) - set(a[key])):
                lines.append(f"{what} {_on(key, entry)} on {t} missing")
            for entry in sorted(set(a[key]) - set(b[key])):
                lines.append(f"{what} {_on(key, entry)} on {t} left behind")
    return lines


def text_diff(before: str, after: str) -> list[str]:
    """``diff`` of two ``schema_text`` results; nothing when they are equal."""
    return [] if before == after else diff(parse(before), parse(after))


def _column(c: dict[str, Any]) -> str:
    """``character varying(20) not null default 'x'``"""
    default = f" default {c['default']}" if c["default"] is not None else ""
    return f"{c['type']}{'' if c['nullable'] else ' not null'}{default}"


def _on(key: str, entry: str) -> str:
    return f"({entry})" if key == "uniques" else entry
