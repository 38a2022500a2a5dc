"""The Schema model: tables, columns, keys, indexes and constraints, whatever the source.

Built from live reflection (``reflect.py``), from a throwaway database after the repository's
migrations ran, or statically from Prisma schemas, SQLAlchemy/SQLModel and Django models, Rails
``db/schema.rb``, TypeORM entities and raw DDL (``readers/``). The schema checks (``checks.py``)
are written once against this model and give the same verdicts on every source.

Types are kept as the source spells them, lower-cased (``integer``, ``varchar(255)``,
``timestamp without time zone``); ``kind`` is the normalised family the checks reason about.
Framework defaults are applied by the readers (Django and Rails index their FK columns; a Prisma
``@@id`` is a primary key), so checks see what the database will have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator


@dataclass
class Column:
    name: str
    type: str  # as declared, lower case
    nullable: bool | None = None  # None: the source does not say
    default: str | None = None
    identity: bool = False  # serial / identity / AUTO_INCREMENT / autoincrement
    comment: str = ""

    @property
    def kind(self) -> str:
        return type_kind(self.type)


@dataclass
class Index:
    name: str
    columns: tuple[str, ...]  # column names; expressions as their text
    unique: bool = False
    primary: bool = False
    predicate: str = ""  # partial index WHERE
    method: str = "btree"
    valid: bool = True
    size_bytes: int | None = None
    scans: int | None = None  # live: idx_scan since stats reset


@dataclass
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_table: str  # qualified the same way as Schema.tables keys
    ref_columns: tuple[str, ...]
    validated: bool = True
    on_delete: str = ""


@dataclass
class Table:
    name: str
    schema: str = ""  # "" where the source has no schema (SQLite, most ORMs)
    columns: dict[str, Column] = field(default_factory=dict)
    primary_key: tuple[str, ...] = ()
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    uniques: list[tuple[str, ...]] = field(default_factory=list)  # unique constraints (also indexes on most engines)
    checks: list[str] = field(default_factory=list)
    comment: str = ""
    location: str = ""  # file:line for static sources
    rows: int | None = None  # live estimate
    size_bytes: int | None = None
    engine: str = ""  # MySQL storage engine
    partitioned: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def qualname(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def column(self, name: str) -> Column | None:
        return self.columns.get(name) or next((c for c in self.columns.values() if c.name.lower() == name.lower()), None)

    def leading_columns(self) -> Iterator[tuple[str, ...]]:
        """Column lists that can serve a lookup by their prefix: indexes, the PK, unique constraints."""
        if self.primary_key:
            yield self.primary_key
        for u in self.uniques:
            yield u
        for ix in self.indexes:
            if ix.valid and not ix.predicate:
                yield ix.columns


@dataclass
class Schema:
    source: str  # "live postgresql://app@db/shop", "prisma prisma/schema.prisma", ...
    dialect: str = ""  # postgresql | mysql | sqlite | "" (ORM, engine not known)
    tables: dict[str, Table] = field(default_factory=dict)  # by qualname
    problems: list[str] = field(default_factory=list)  # what could not be read, with where
    complete: bool = True  # False: parts of the source were not read (problems say which)
    # Conventions the source applies on its own (e.g. Django/Rails index FK columns).
    fk_indexed_by_framework: bool = False

    def add(self, table: Table) -> Table:
        self.tables[table.qualname] = table
        return table

    def find(self, name: str) -> Table | None:
        if name in self.tables:
            return self.tables[name]
        index = self.__dict__.get("_by_name")
        if index is None or index[0] != len(self.tables):  # rebuilt when tables were added
            by: dict[str, Table] = {}
            for t in self.tables.values():
                by.setdefault(t.name.lower(), t)
            index = self.__dict__["_by_name"] = (len(self.tables), by)
        return index[1].get(name.lower().split(".")[-1])


_KINDS = [
    (r"^(tiny|small|medium)?int(eger)?\d?\b|^int[248]\b|^(small|big)?serial\b|^mediumint|^bigint", "integer"),
    (r"^(numeric|decimal|money|smallmoney)\b", "decimal"),
    (r"^(real|float|double|float4|float8)\b", "float"),
    (r"^(bool|boolean|bit\(1\))", "boolean"),
    (r"^timestamp(tz)?\b.*with time zone|^timestamptz\b", "timestamptz"),
    (r"^(timestamp|datetime|smalldatetime|datetime2)\b", "timestamp"),
    (r"^date\b", "date"),
    (r"^(time|timetz)\b", "time"),
    (r"^(uuid|uniqueidentifier)\b", "uuid"),
    (r"^(json|jsonb)\b", "json"),
    (r"^(character varying|varchar|nvarchar|varchar2|char|character|nchar|bpchar)\b", "string"),
    (r"^(text|tinytext|mediumtext|longtext|citext|clob|string)\b", "text"),
    (r"^(bytea|blob|tinyblob|mediumblob|longblob|binary|varbinary)\b", "binary"),
    (r"^enum\b", "enum"),
]


@lru_cache(maxsize=4096)  # a schema has few distinct types and many columns
def type_kind(t: str) -> str:
    t = (t or "").strip().lower()
    for pattern, kind in _KINDS:
        if re.search(pattern, t):
            return kind
    return "other"


INT_MAX = {"smallint": 32_767, "int2": 32_767, "integer": 2_147_483_647, "int": 2_147_483_647,
           "int4": 2_147_483_647, "serial": 2_147_483_647, "smallserial": 32_767, "mediumint": 8_388_607,
           "tinyint": 127, "bigint": 9_223_372_036_854_775_807, "int8": 9_223_372_036_854_775_807,
           "bigserial": 9_223_372_036_854_775_807}


def int_width(t: str) -> int | None:
    """The largest value of an integer type (unsigned doubles it), or None for other types."""
    low = (t or "").lower().strip()
    base = re.match(r"[a-z0-9]+", low)
    if not base or base.group(0) not in INT_MAX:
        return None
    top = INT_MAX[base.group(0)]
    return top * 2 + 1 if "unsigned" in low else top
