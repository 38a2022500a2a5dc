"""A comparable description of a database schema, for before/after comparisons in drills."""

from __future__ import annotations

from typing import Any

IGNORED_TABLES = {"alembic_version"}

# format_type() strings of built-in PostgreSQL types -> SQLAlchemy's name for them (``str(reflected type)``),
# learnt from SQLAlchemy's own reflection the first time a type shows up (see ``_pg_fingerprint``).
_PG_BUILTIN_TYPES: dict[tuple, str] = {}
_FIRST_USER_OID = 16384  # PostgreSQL's FirstNormalObjectId: below it, objects made by initdb


def fingerprint(bind: Any, memo: dict | None = None) -> dict[str, Any]:
    """Tables with columns (type, nullability, default), primary key, foreign keys, indexes, uniques.

    ``bind`` is an engine (one connection is opened for the whole fingerprint) or a connection. On
    PostgreSQL the catalog is read in one query for all tables (``_pg_fingerprint``); elsewhere through
    SQLAlchemy's reflection, one call per kind of object for all the tables at once. ``memo``: a dict
    kept by the caller across fingerprints of one database (the type names learnt on PostgreSQL).
    """
    import sqlalchemy as sa

    if isinstance(bind, sa.engine.Engine):
        with bind.connect() as conn:
            return fingerprint(conn, memo)
    if bind.dialect.name == "postgresql":
        return _pg_fingerprint(bind, {} if memo is None else memo)
    return _reflected(bind)


def _reflected(conn: Any) -> dict[str, Any]:
    """The fingerprint through SQLAlchemy's Inspector (every engine; the reference for PostgreSQL's)."""
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
        cols = {c["name"]: _column(c) for c in columns.get(table, [])}
        pk = (pks.get(table) or {}).get("constrained_columns") or []
        fks = sorted(_fk(fk["constrained_columns"], fk["referred_table"], fk["referred_columns"])
                     for fk in fks_all.get(table, []))
        idx = sorted(_index(i["name"], i["column_names"], i["unique"]) for i in indexes.get(table, []))
        uq = sorted(", ".join(u["column_names"]) for u in uniques.get(table, []))
        out[table] = {"columns": cols, "pk": pk, "fks": fks, "indexes": idx, "uniques": uq}
    return out


def _column(c: dict) -> dict[str, Any]:
    return {"type": str(c["type"]), "nullable": bool(c["nullable"]), "default": _norm(c.get("default"))}


def _fk(cols, referred_table, referred_cols) -> str:
    return f"({', '.join(cols)}) -> {referred_table} ({', '.join(referred_cols)})"


def _index(name, column_names, unique) -> str:
    return f"{name} ({', '.join(str(c) for c in column_names)}){' unique' if unique else ''}"


def _by_table(multi: dict) -> dict[str, Any]:
    """``get_multi_*`` results are keyed by (schema, table); the default schema's schema is None."""
    return {table: value for (_schema, table), value in multi.items()}


# The tables SQLAlchemy's PostgreSQL dialect reflects for the default schema (``get_table_names``), and per
# table what its ``get_multi_*`` methods read: columns (attnum > 0, not dropped; the collation only when it
# is not the type's), primary key and unique columns from the constraint's index (key columns only), foreign
# key columns in constraint order, indexes other than the primary key's (key columns; NULL for an
# expression), each as one JSON array.
_PG_PREPARED = "dbaudit_schema_fingerprint"
_PG_QUERY = """
WITH t AS {materialized}(
  SELECT c.oid, c.relname
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't' AND pg_catalog.pg_table_is_visible(c.oid)
     AND n.nspname <> 'pg_catalog'
), cols AS (
  SELECT a.attrelid, json_agg(json_build_array(
           a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.atttypid::bigint, a.atttypmod,
           CASE WHEN a.attcollation <> 0 AND a.attcollation <> ty.typcollation THEN
             (SELECT json_build_array(co.collname, cn.nspname, pg_catalog.pg_collation_is_visible(co.oid))
                FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
               WHERE co.oid = a.attcollation) END,
           a.attnotnull,
           CASE WHEN a.atthasdef THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
           {generated},
           ty.typtype = 'd' OR (ty.typelem <> 0 AND (SELECT et.typtype FROM pg_catalog.pg_type et
                                                      WHERE et.oid = ty.typelem) = 'd'),
           CASE WHEN a.atttypid >= 16384 THEN
             (SELECT json_agg(e.enumlabel ORDER BY e.enumtypid, e.enumsortorder) FROM pg_catalog.pg_enum e
               WHERE e.enumtypid IN (ty.oid, ty.typelem)) END) ORDER BY a.attnum) AS j
    FROM t JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid
    LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   GROUP BY a.attrelid
), cons AS (
  SELECT k.conrelid, json_agg(json_build_array(
           k.contype,
           CASE WHEN k.contype = 'f' THEN
             (SELECT json_agg(ka.attname ORDER BY x.n)
                FROM unnest(k.conkey) WITH ORDINALITY x(attnum, n)
                JOIN pg_catalog.pg_attribute ka ON ka.attrelid = k.conrelid AND ka.attnum = x.attnum)
           ELSE
             (SELECT json_agg(ka.attname ORDER BY x.n)
                FROM pg_catalog.pg_index ki CROSS JOIN unnest(ki.indkey::int2[]) WITH ORDINALITY x(attnum, n)
                JOIN pg_catalog.pg_attribute ka ON ka.attrelid = ki.indrelid AND ka.attnum = x.attnum
               WHERE ki.indexrelid = k.conindid AND x.n <= ki.{nkey}) END,
           rc.relname,
           (SELECT json_agg(ra.attname ORDER BY x.n)
              FROM unnest(k.confkey) WITH ORDINALITY x(attnum, n)
              JOIN pg_catalog.pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = x.attnum))) AS j
    FROM t JOIN pg_catalog.pg_constraint k ON k.conrelid = t.oid AND k.contype IN ('p', 'u', 'f')
    LEFT JOIN pg_catalog.pg_class rc ON rc.oid = k.confrelid
   GROUP BY k.conrelid
), idx AS (
  SELECT i.indrelid, json_agg(json_build_array(
           ic.relname, i.indisunique,
           (SELECT json_agg(ia.attname ORDER BY x.n)
              FROM unnest(i.indkey::int2[]) WITH ORDINALITY x(attnum, n)
              LEFT JOIN pg_catalog.pg_attribute ia ON ia.attrelid = i.indrelid AND ia.attnum = x.attnum
                                                   AND x.attnum <> 0
             WHERE x.n <= i.{nkey}))) AS j
    FROM t JOIN pg_catalog.pg_index i ON i.indrelid = t.oid AND NOT i.indisprimary
    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
   GROUP BY i.indrelid
)
SELECT json_agg(json_build_array(t.relname, cols.j, cons.j, idx.j))
  FROM t LEFT JOIN cols ON cols.attrelid = t.oid LEFT JOIN cons ON cons.conrelid = t.oid
  LEFT JOIN idx ON idx.indrelid = t.oid
"""


def _pg_fingerprint(conn: Any, memo: dict) -> dict[str, Any]:
    """The same fingerprint as ``_reflected``, read from PostgreSQL's catalog in one round trip.

    SQLAlchemy's reflection costs about ten catalog queries per fingerprint and turns every column type
    into a SQLAlchemy type; a drill takes two fingerprints per revision. Everything but the names of the
    column types is plain catalog data here. A type's name is SQLAlchemy's (``str()`` of the reflected
    type, so a difference reads as before): it is looked up by format_type() string, type oid, modifier,
    collation and enum labels, and learnt from SQLAlchemy's reflection of the tables that hold a type not
    seen yet (built-in types once per process, the database's own, such as enums, in ``memo``). Columns of a
    domain type (or an array of one) take their nullability and default from the domain: their tables'
    columns always come from SQLAlchemy's reflection.
    """
    rows = _json(_pg_catalog(conn))
    out: dict[str, Any] = {}
    pending: dict[str, list] = {}  # table -> raw columns, for tables with a type whose name is not known
    for relname, columns, constraints, indexes in rows:
        if relname in IGNORED_TABLES:
            continue
        columns = columns or []
        cols: dict[str, Any] = {}
        for name, fmt, typid, typmod, coll, notnull, default, generated, domain, labels in columns:
            key = _type_key(fmt, typid, typmod, coll, labels)
            type_name = None if domain else (_PG_BUILTIN_TYPES if typid < _FIRST_USER_OID else memo).get(key)
            if type_name is None:
                pending[relname] = columns
                break
            cols[name] = {"type": type_name, "nullable": not notnull,
                          "default": None if generated else _norm(default)}
        pk: list[str] = []
        fks, uniques = [], []
        for contype, con_cols, referred, referred_cols in constraints or []:
            if contype == "p":
                pk = con_cols or []
            elif contype == "u":
                uniques.append(", ".join(con_cols or []))
            else:
                fks.append(_fk(con_cols or [], referred, referred_cols or []))
        idx = sorted(_index(name, names or [], unique) for name, unique, names in indexes or [])
        out[relname] = {"columns": cols, "pk": pk, "fks": sorted(fks), "indexes": idx, "uniques": sorted(uniques)}
    if pending:
        import sqlalchemy as sa

        reflected = _by_table(sa.inspect(conn).get_multi_columns(filter_names=sorted(pending)))
        for table, raw in pending.items():
            by_name = {c["name"]: c for c in reflected.get(table, [])}
            for name, fmt, typid, typmod, coll, _notnull, _default, _generated, domain, labels in raw:
                if not domain and name in by_name:
                    store = _PG_BUILTIN_TYPES if typid < _FIRST_USER_OID else memo
                    store[_type_key(fmt, typid, typmod, coll, labels)] = str(by_name[name]["type"])
            out[table]["columns"] = {c["name"]: _column(c) for c in reflected.get(table, [])}
    return dict(sorted(out.items()))


def _pg_catalog(conn: Any) -> Any:
    """The result of ``_PG_QUERY``. On an autocommit connection (the Alembic drill keeps one for the whole
    walk) the query is prepared once, which saves its planning (a few ms) on every later fingerprint;
    where that fails (a pooler in front of the server, say) the plain query runs."""
    import sqlalchemy as sa

    version = conn.dialect.server_version_info or (0,)
    sql = _PG_QUERY.format(generated="a.attgenerated <> ''" if version >= (12,) else "false",
                           nkey="indnkeyatts" if version >= (11,) else "indnatts",
                           materialized="MATERIALIZED " if version >= (12,) else "")
    info = conn.connection.info  # lives as long as the driver's connection
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT" and info.get(_PG_PREPARED) is not False:
        try:
            if not info.get(_PG_PREPARED):
                conn.exec_driver_sql(f"PREPARE {_PG_PREPARED} AS {sql}")
                info[_PG_PREPARED] = True
            return conn.exec_driver_sql(f"EXECUTE {_PG_PREPARED}").scalar()
        except sa.exc.DBAPIError:
            info[_PG_PREPARED] = False
    return conn.exec_driver_sql(sql).scalar()


def _type_key(fmt: str, typid: int, typmod: int, coll: list | None, labels: list | None) -> tuple:
    """What SQLAlchemy's name for a column type depends on: the format_type() string, the type (its oid),
    modifier and collation, and for an enum (or an array of one) its labels, which SQLAlchemy sizes the
    type by."""
    return fmt, typid, typmod, tuple(coll) if coll else None, tuple(labels) if labels else None


def _json(value: Any) -> list:
    """A json_agg() result: None for no rows; a string when the driver does not decode JSON."""
    if value is None:
        return []
    if isinstance(value, str):
        import json

        return json.loads(value)
    return value


def _norm(default: Any) -> Any:
    return None if default is None else str(default)


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
                lines.append(f"column {t}.{c} changed: {b['columns'][c]} -> {a['columns'][c]}")
        if b["pk"] != a["pk"]:
            lines.append(f"primary key of {t} changed: ({', '.join(b['pk'])}) -> ({', '.join(a['pk'])})")
        for key, what in (("indexes", "index"), ("fks", "foreign key"), ("uniques", "unique constraint")):
            for entry in sorted(set(b[key]) - set(a[key])):
                lines.append(f"{what} {_on(key, entry)} on {t} missing")
            for entry in sorted(set(a[key]) - set(b[key])):
                lines.append(f"{what} {_on(key, entry)} on {t} left behind")
    return lines


def _on(key: str, entry: str) -> str:
    return f"({entry})" if key == "uniques" else entry
