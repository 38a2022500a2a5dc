"""What every static reader shares: type spellings, index bookkeeping and engine defaults.

Conventions of the static readers (so checks compare like with like across sources):

- ``Table.indexes`` lists every index the database will have: the one behind the primary key
  (``primary=True, unique=True``), those behind unique constraints (``unique=True``, the constraint
  also in ``Table.uniques``), the ones the framework creates on its own (Django and Rails FK
  indexes, MySQL InnoDB's FK indexes) and the declared ones.
- Types use one spelling whatever the source wrote (``integer``, ``bigint``, ``varchar(255)``,
  ``timestamp(3) without time zone``, ``timestamp with time zone``, ``double precision``,
  ``numeric(10,2)``, ``jsonb``), lower case; user-defined types (enums) by their lower-case name.
- ``identity``: serial / autoincrement / identity columns; ``default`` is the database default as SQL
  text (``CURRENT_TIMESTAMP``, ``'pending'``, ``0``, ``TRUE``), None when the database has none
  (client-side defaults such as Prisma's ``uuid()`` or Django's ``default=`` are not database ones).
"""

from __future__ import annotations

import re

from ..model import ForeignKey, Index, Schema, Table

_PG_ALIASES = {
    "int": "integer", "int4": "integer", "integer": "integer", "int8": "bigint", "bigint": "bigint",
    "int2": "smallint", "smallint": "smallint", "serial": "integer", "serial4": "integer", "bigserial": "bigint",
    "serial8": "bigint", "smallserial": "smallint", "serial2": "smallint", "float8": "double precision",
    "double": "double precision", "float4": "real", "real": "real", "bool": "boolean", "boolean": "boolean",
    "character varying": "varchar", "varchar": "varchar", "bpchar": "char", "character": "char", "char": "char",
    "decimal": "numeric", "numeric": "numeric", "timestamptz": "timestamptz", "timetz": "timetz",
}
SERIALS = {"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"}


def pg_type(name: str, mods: list | tuple = (), array: bool = False) -> str:
    """PostgreSQL's type in the readers' one spelling: ``varchar(20)``, ``timestamp(3) without time zone``."""
    base = _PG_ALIASES.get(name.lower(), name.lower())
    args = f"({','.join(str(m) for m in mods)})" if mods else ""
    if base == "float" and mods:  # float(p): real up to 24 bits of precision, double above
        base, args = ("real" if int(mods[0]) <= 24 else "double precision"), ""
    elif base == "float":
        base = "double precision"
    if base in ("timestamp", "time"):
        out = f"{base}{args} without time zone"
    elif base in ("timestamptz", "timetz"):
        out = f"{base[:-2]}{args} with time zone"
    elif base in ("integer", "bigint", "smallint", "double precision", "real", "boolean", "text"):
        out = base  # modifiers mean nothing on these
    else:
        out = f"{base}{args}"
    return out + ("[]" if array else "")


def location(rel: str, line: int) -> str:
    return f"{rel}:{line}" if line else rel


def source_label(kind: str, files: list[str]) -> str:
    """``"django mysite"``, ``"sqlalchemy app/models.py"``, ``"sqlalchemy app/models.py and 3 more"``."""
    files = sorted(files)
    if len(files) <= 1:
        return f"{kind} {files[0] if files else '.'}"
    return f"{kind} {files[0]} and {len(files) - 1} more"


def add_index(table: Table, index: Index) -> Index:
    table.indexes.append(index)
    return index


def add_unique(table: Table, columns: tuple[str, ...], name: str, constraint: bool = True) -> None:
    """A unique constraint (also its index) or, ``constraint=False``, a unique index alone."""
    if constraint:
        table.uniques.append(tuple(columns))
    table.indexes.append(Index(name, tuple(columns), unique=True))


def pk_index_name(table: str, dialect: str) -> str:
    return "PRIMARY" if dialect in ("mysql", "mariadb") else f"{table}_pkey"


def finish(schema: Schema) -> Schema:
    """Apply what the database does on its own: the primary key's index, and on MySQL/MariaDB
    (InnoDB) an index for every foreign key no index already leads with (named after the constraint)."""
    for t in schema.tables.values():
        if t.primary_key and not any(ix.primary for ix in t.indexes):
            t.indexes.insert(0, Index(pk_index_name(t.name, schema.dialect), tuple(t.primary_key), unique=True,
                                      primary=True))
        if schema.dialect in ("mysql", "mariadb"):
            unenforced = set(t.extra.get("unenforced_foreign_keys", ()))
            for fk in t.foreign_keys:
                if fk.name not in unenforced and not covered(t, fk.columns):
                    t.indexes.append(Index(fk.name, fk.columns))
    if schema.dialect in ("mysql", "mariadb"):
        schema.fk_indexed_by_framework = True
    return schema


def covered(table: Table, columns: tuple[str, ...]) -> bool:
    """Some index (or the PK) leads with these columns, in any order among the first len(columns)."""
    want = {c.lower() for c in columns}
    return any({c.lower() for c in cols[:len(columns)]} == want for cols in table.leading_columns())


def problem(schema: Schema, where: str, message: str) -> None:
    schema.problems.append(f"{where}: {message}")
    schema.complete = False


def resolve_fk(schema: Schema, fk: ForeignKey) -> None:
    """Fill a foreign key's referenced columns with the target's primary key when the source left them out."""
    if fk.ref_columns:
        return
    target = schema.find(fk.ref_table)
    if target is not None and target.primary_key:
        fk.ref_columns = tuple(target.primary_key)


_FIRST_CAP = re.compile(r"(.)([A-Z][a-z]+)")
_ALL_CAP = re.compile(r"([a-z0-9])([A-Z])")


def snake(name: str) -> str:
    return _ALL_CAP.sub(r"\1_\2", _FIRST_CAP.sub(r"\1_\2", name)).lower()
