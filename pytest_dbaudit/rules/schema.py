"""Schema & design checks."""

from __future__ import annotations

from ..outcomes import Finding, Undecided
from ..registry import check

_PG_NO_PK = """
SELECT n.nspname AS schema_name, c.relname AS table_name
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2
"""
_PG_COUNT = """
SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
"""
# information_schema.statistics, not table_constraints: MariaDB hides constraint rows from a
# role that only has SELECT, which would make every keyed table look keyless.
_MY_SCOPE = "t.table_schema NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')"
_MY_NO_PK = f"""
SELECT t.table_schema AS schema_name, t.table_name AS table_name
FROM information_schema.tables t
WHERE t.table_type = 'BASE TABLE' AND {_MY_SCOPE} AND (DATABASE() IS NULL OR t.table_schema = DATABASE())
  AND NOT EXISTS (SELECT 1 FROM information_schema.statistics k
                  WHERE k.table_schema = t.table_schema AND k.table_name = t.table_name
                    AND k.index_name = 'PRIMARY')
ORDER BY 1, 2
"""
_MY_COUNT = f"""
SELECT count(*) FROM information_schema.tables t
WHERE t.table_type = 'BASE TABLE' AND {_MY_SCOPE} AND (DATABASE() IS NULL OR t.table_schema = DATABASE())
"""
_SQLITE_NO_PK = """
SELECT 'main' AS schema_name, m.name AS table_name FROM sqlite_master m
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
  AND NOT EXISTS (SELECT 1 FROM pragma_table_info(m.name) p WHERE p.pk > 0)
ORDER BY 2
"""
_SQLITE_COUNT = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"


# grantee as information_schema spells it: 'user'@'host'
_MY_ME = "CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')"
_MY_SEES_ALL = f"""
SELECT (SELECT COUNT(*) FROM information_schema.user_privileges
        WHERE privilege_type = 'SELECT' AND grantee = {_MY_ME})
     + (SELECT COUNT(*) FROM information_schema.schema_privileges
        WHERE privilege_type = 'SELECT' AND grantee = {_MY_ME} AND DATABASE() IS NOT NULL
          AND table_schema IN (DATABASE(), REPLACE(DATABASE(), '_', '\\_')))
"""


@check("SD-03", "live")
def primary_keys_live(db, ctx):
    no_pk, count = {"postgresql": (_PG_NO_PK, _PG_COUNT), "mysql": (_MY_NO_PK, _MY_COUNT),
                    "sqlite": (_SQLITE_NO_PK, _SQLITE_COUNT)}[db.dialect]
    if db.dialect == "mysql" and not int(db.scalar(_MY_SEES_ALL) or 0):
        # information_schema lists only the tables the role holds a privilege on: without
        # SELECT on the whole schema, a clean answer could just mean "could not see".
        where = f"`{db.database}`.*" if db.database else "*.*"
        raise Undecided(f"the audit role may not see every table; to decide, GRANT SELECT ON {where} TO "
                        "the audit role")
    total = int(db.scalar(count) or 0)
    rows = db.rows(no_pk)
    ctx.note(f"{total} table(s) checked in {db.database}")
    return [Finding(f"table {r['schema_name']}.{r['table_name']} has no primary key",
                    location=f"{db.target.label} {r['schema_name']}.{r['table_name']}",
                    observed="no PRIMARY KEY constraint", expected="a primary key")
            for r in rows]
