"""Schema and design checks, written once against the Schema model.

The same function judges a live database (after reflection), a throwaway database built by the
repository's migrations, and a schema read statically from Prisma, ORM models, ``schema.rb`` or
DDL: the same defects give the same verdicts whatever the source. Each check declares the catalog
item it decides, its thresholds and the anchor rules it covers; ``rules/schema.py`` wires them to
the static and live modes.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any, Callable

from ..outcomes import Finding
from .model import Schema, Table, int_width

Th = Callable[[str], Any]  # threshold lookup


@dataclass(frozen=True)
class SchemaCheck:
    id: str
    item: str
    title: str
    fn: Callable[[Schema, Th], list[Finding]]
    thresholds: dict[str, Any] = field(default_factory=dict)
    anchors: tuple[str, ...] = ()
    fix: str = ""


CHECKS: list[SchemaCheck] = []


def schema_check(item: str, check_id: str, title: str, *, thresholds: dict[str, Any] | None = None,
                 anchors: tuple[str, ...] = (), fix: str = "") -> Callable:
    def deco(fn: Callable[[Schema, Th], list[Finding]]) -> Callable:
        CHECKS.append(SchemaCheck(check_id, item, title, fn, dict(thresholds or {}), anchors, fix))
        return fn

    return deco


def checks_of(item: str) -> list[SchemaCheck]:
    return [c for c in CHECKS if c.item == item]


def where(schema: Schema, table: Table, column: str = "") -> str:
    """A finding's location: file:line for static sources, schema.table[.column] for databases."""
    obj = table.qualname + (f".{column}" if column else "")
    return f"{table.location} ({obj})" if table.location else obj


# -- SD-03 --------------------------------------------------------------------------------------
@schema_check("SD-03", "schema.no-primary-key", "Every table has a primary key",
              anchors=("dbcritic primary_key", "MySQLTuner structstat", "pg-index-health tables_without_primary_key"),
              fix="Add a primary key (a surrogate bigint identity or the natural unique key); logical replication, "
                  "Galera/Group Replication and most ORMs need one.")
def no_primary_key(schema: Schema, th: Th) -> list[Finding]:
    return [Finding(f"table {t.qualname} has no primary key", where(schema, t), observed="no PRIMARY KEY",
                    expected="a primary key") for t in schema.tables.values() if not t.primary_key]


# -- SD-05 --------------------------------------------------------------------------------------
def _covered(cols: tuple[str, ...], table: Table) -> bool:
    """The leading-column rule: some index starts with exactly these columns, in any order."""
    want = {c.lower() for c in cols}
    return any({c.lower() for c in lead[:len(cols)]} == want for lead in table.leading_columns()
               if len(lead) >= len(cols))


@schema_check("SD-05", "schema.fk-without-index", "Foreign-key columns lead an index",
              anchors=("dbcritic index_fk_ref", "PC H003", "pg-index-health foreign_keys_without_index"),
              fix="CREATE INDEX CONCURRENTLY ON <table> (<fk columns>): deletes and updates of the parent row "
                  "otherwise scan the child table, holding locks.")
def fk_without_index(schema: Schema, th: Th) -> list[Finding]:
    if schema.dialect == "mysql":
        return []  # InnoDB creates an index for every foreign key it accepts
    out = []
    for t in schema.tables.values():
        for fk in t.foreign_keys:
            if not _covered(fk.columns, t):
                cols = ", ".join(fk.columns)
                out.append(Finding(f"foreign key {t.qualname}({cols}) -> {fk.ref_table} has no index leading with "
                                   f"({cols})", where(schema, t, cols), observed="no index",
                                   expected=f"an index on ({cols})"))
    return out


# -- SD-04 --------------------------------------------------------------------------------------
_ID_SUFFIX = re.compile(r"^(?P<base>.+?)(_id|Id|ID)$")


def _referenced_name(schema: Schema, base: str) -> Table | None:
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower()
    for cand in (snake, snake + "s", snake + "es", snake[:-1] + "ies" if snake.endswith("y") else None):
        if cand:
            t = schema.find(cand)
            if t is not None:
                return t
    return None


@schema_check("SD-04", "schema.fk-not-declared", "Columns named after a table are declared foreign keys",
              anchors=("MySQLTuner structstat _id columns without FK",),
              fix="Declare the relationship: ALTER TABLE ... ADD FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT "
                  "(PostgreSQL) so existing rows are checked without a long lock.")
def fk_not_declared(schema: Schema, th: Th) -> list[Finding]:
    out = []
    for t in schema.tables.values():
        in_fk = {c.lower() for fk in t.foreign_keys for c in fk.columns}
        for col in t.columns.values():
            m = _ID_SUFFIX.match(col.name)
            if not m or col.name.lower() in in_fk or col.name.lower() in {c.lower() for c in t.primary_key}:
                continue
            target = _referenced_name(schema, m.group("base"))
            if target is not None and target is not t:
                out.append(Finding(f"{t.qualname}.{col.name} looks like a reference to {target.qualname} but no "
                                   "foreign key is declared", where(schema, t, col.name),
                                   observed="no FOREIGN KEY", expected=f"REFERENCES {target.qualname}"))
    return out


@schema_check("SD-04", "schema.fk-not-validated", "Foreign keys are validated",
              anchors=("PgHero invalid constraints", "pg-index-health not_valid_constraints"),
              fix="ALTER TABLE ... VALIDATE CONSTRAINT <name>; (takes only a SHARE UPDATE EXCLUSIVE lock).")
def fk_not_validated(schema: Schema, th: Th) -> list[Finding]:
    out = []
    for t in schema.tables.values():
        for fk in t.foreign_keys:
            if not fk.validated:
                out.append(Finding(f"foreign key {fk.name} on {t.qualname} is NOT VALID: existing rows were never "
                                   "checked", where(schema, t), observed="NOT VALID", expected="validated"))
        for name in t.extra.get("unvalidated_checks", []):
            out.append(Finding(f"check constraint {name} on {t.qualname} is NOT VALID", where(schema, t),
                               observed="NOT VALID", expected="validated"))
    return out


# -- PF-04 --------------------------------------------------------------------------------------
def _signature(ix) -> tuple:
    return (tuple(c.lower() for c in ix.columns), ix.predicate, ix.method)


@schema_check("PF-04", "schema.duplicate-index", "No index duplicates another",
              anchors=("PgHero duplicate indexes", "PC H004", "pg-index-health duplicated_indexes",
                       "MySQLTuner redundant indexes"),
              fix="Drop the duplicate (DROP INDEX CONCURRENTLY on PostgreSQL); every index costs writes and memory.")
def duplicate_indexes(schema: Schema, th: Th) -> list[Finding]:
    out = []
    for t in schema.tables.values():
        seen: dict[tuple, str] = {}
        if t.primary_key:
            seen[(tuple(c.lower() for c in t.primary_key), "", "btree")] = "the primary key"
        for cols in t.uniques:
            seen.setdefault((tuple(c.lower() for c in cols), "", "btree"), f"unique constraint ({', '.join(cols)})")
        for ix in sorted(t.indexes, key=lambda i: (not i.primary, not i.unique, i.name)):
            sig = _signature(ix)
            if ix.primary:
                continue
            other = seen.get(sig)
            if other and other != ix.name and not _same_constraint(ix, t, other):
                out.append(Finding(f"index {ix.name} on {t.qualname}({', '.join(ix.columns)}) duplicates {other}",
                                   where(schema, t), observed=ix.name, expected="one index per column list"))
            else:
                seen.setdefault(sig, f"index {ix.name}")
    return out


def _same_constraint(ix, t: Table, other: str) -> bool:
    # A unique constraint is implemented by its own unique index; that pair is one object, not two.
    return ix.unique and other.startswith("unique constraint") and \
        tuple(c.lower() for c in ix.columns) in {tuple(c.lower() for c in u) for u in t.uniques}


@schema_check("PF-04", "schema.redundant-index", "No index is a left prefix of another",
              anchors=("PgHero duplicate indexes (prefix)", "PC H004", "pg-index-health intersected_indexes",
                       "MySQL sys.schema_redundant_indexes"),
              fix="Drop the shorter index: the longer one serves the same lookups (check unique and partial indexes "
                  "first: those are not redundant).")
def redundant_indexes(schema: Schema, th: Th) -> list[Finding]:
    out = []
    for t in schema.tables.values():
        btrees = [ix for ix in t.indexes if ix.method == "btree" and not ix.predicate and ix.valid]
        for ix in btrees:
            if ix.unique or ix.primary:
                continue  # a unique index enforces something the longer one does not
            cols = tuple(c.lower() for c in ix.columns)
            for longer in btrees:
                lcols = tuple(c.lower() for c in longer.columns)
                if longer is not ix and len(lcols) > len(cols) and lcols[:len(cols)] == cols:
                    out.append(Finding(f"index {ix.name} on {t.qualname}({', '.join(ix.columns)}) is a prefix of "
                                       f"{longer.name}({', '.join(longer.columns)})", where(schema, t),
                                       observed=ix.name, expected="no redundant index"))
                    break
    return out


# -- SD-02 --------------------------------------------------------------------------------------
@lru_cache(maxsize=65536)  # column names repeat across tables (id, created_at ...): decide each once
def _style(name: str) -> str:
    if re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", name):
        return "snake_case"
    if re.fullmatch(r"[a-z]+([A-Z][a-z0-9]*)+", name):
        return "camelCase"
    if re.fullmatch(r"([A-Z][a-z0-9]*)+", name):
        return "PascalCase"
    if re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)*", name):
        return "UPPER_CASE"
    return "mixed"


_ONE_WORD = re.compile(r"[a-z][a-z0-9]*")
_MAX_IDENT = {"postgresql": 63, "mysql": 64}


@schema_check("SD-02", "schema.naming", "Tables and columns follow one naming style",
              anchors=("MySQLTuner naming style", "pg-index-health names_with_uppercase / name_overflow"),
              fix="Pick one style (snake_case is what every engine and tool handles without quoting) and rename "
                  "the exceptions in an expand/contract migration.")
def naming(schema: Schema, th: Th) -> list[Finding]:
    out = []
    for what, names in (("table", [(t, "", t.name) for t in schema.tables.values()]),
                        ("column", [(t, c, c) for t in schema.tables.values() for c in t.columns])):
        # one lower-case word ("email") fits snake_case and camelCase alike: it takes no side
        styles = Counter(_style(n) for _, _, n in names if not _ONE_WORD.fullmatch(n))
        if len(styles) < 2:
            continue
        main = max(styles, key=lambda st: (styles[st], st == "snake_case"))  # a tie goes to SQL's own style
        for t, col, n in names:
            s = _style(n)
            if s != main and not _ONE_WORD.fullmatch(n):
                out.append(Finding(f"{what} {t.qualname + ('.' + col if col else '')} is {s}; most {what}s are {main}",
                                   where(schema, t, col), observed=s, expected=main, severity="Low"))
    limit = _MAX_IDENT.get(schema.dialect)
    if limit:
        for t in schema.tables.values():
            for n in [t.name, *t.columns, *(ix.name for ix in t.indexes), *(fk.name for fk in t.foreign_keys)]:
                if len(n.encode()) > limit:
                    out.append(Finding(f"identifier {n!r} on {t.qualname} is longer than {limit} bytes: the server "
                                       "truncates it silently", where(schema, t), observed=len(n.encode()),
                                       expected=f"<= {limit}"))
    return out


# -- SD-06 --------------------------------------------------------------------------------------
_MONEY = re.compile(r"(price|amount|cost|total|balance|fee|salary|money|revenue|tax|payment)", re.I)


@lru_cache(maxsize=65536)
def _money(name: str) -> bool:
    return bool(_MONEY.search(name))


@schema_check("SD-06", "schema.risky-types", "Key and money columns have safe types",
              anchors=("dbcritic primary_key_bigint", "pg-index-health columns_with_money_type / serial / char",
                       "MySQLTuner FK type mismatch"),
              fix="Use bigint keys (ALTER ... TYPE bigint on a copy, or a new column backfilled in batches), "
                  "numeric/decimal for money, matching types on both ends of a foreign key.")
def risky_types(schema: Schema, th: Th) -> list[Finding]:
    out = []
    for t in schema.tables.values():
        for col in t.columns.values():
            if col.kind == "float" and _money(col.name):
                out.append(Finding(f"{t.qualname}.{col.name} holds money in a binary float ({col.type}): rounding "
                                   "errors", where(schema, t, col.name), observed=col.type,
                                   expected="numeric/decimal", severity="Medium"))
            if col.type.startswith(("character(", "char(", "bpchar")) and schema.dialect == "postgresql":
                out.append(Finding(f"{t.qualname}.{col.name} is blank-padded {col.type}", where(schema, t, col.name),
                                   observed=col.type, expected="text or varchar", severity="Low"))
        if len(t.primary_key) == 1 and schema.dialect != "sqlite":  # SQLite integers are always 64-bit
            pk = t.column(t.primary_key[0])
            width = int_width(pk.type) if pk else None
            if pk is not None and width is not None and width < 2**32 and pk.identity:
                out.append(Finding(f"{t.qualname}.{pk.name} is a {pk.type} key: it runs out at {width:,}",
                                   where(schema, t, pk.name), observed=pk.type, expected="bigint", severity="Low"))
        for fk in t.foreign_keys:
            ref = schema.find(fk.ref_table)
            if ref is None:
                continue
            for c, rc in zip(fk.columns, fk.ref_columns):
                a, b = t.column(c), ref.column(rc)
                if a and b and _base_type(a.type) != _base_type(b.type):
                    out.append(Finding(f"{t.qualname}.{c} ({a.type}) references {ref.qualname}.{rc} ({b.type}): types "
                                       "differ", where(schema, t, c), observed=a.type, expected=b.type,
                                       severity="Medium"))
    return out


def _base_type(t: str) -> str:
    t = t.lower().replace("serial", "integer").replace("bigserial", "bigint")
    t = re.sub(r"\(\d+\)", "", t).replace(" unsigned", "u")
    return {"int4": "integer", "int": "integer", "int8": "bigint", "int2": "smallint"}.get(t.strip(), t.strip())


# -- SD-07 --------------------------------------------------------------------------------------
@schema_check("SD-07", "schema.nullability", "Nullability is deliberate",
              thresholds={"all_nullable_min_columns": 3},
              anchors=("pg-index-health tables_with_all_nullable_columns", "MySQLTuner > 20 nullable columns"),
              fix="Make columns NOT NULL where a value is always expected (add with a default, backfill, then "
                  "SET NOT NULL via a validated CHECK on PostgreSQL); give booleans a default.")
def nullability(schema: Schema, th: Th) -> list[Finding]:
    out = []
    minimum = int(th("all_nullable_min_columns"))
    for t in schema.tables.values():
        rest = [c for c in t.columns.values() if c.name not in t.primary_key]
        if len(rest) >= minimum and all(c.nullable is True for c in rest):
            out.append(Finding(f"every column of {t.qualname} except its key is nullable", where(schema, t),
                               observed=f"{len(rest)} nullable columns", expected="NOT NULL where a value is required"))
        for c in rest:
            if c.kind == "boolean" and c.nullable is True and c.default is None:
                out.append(Finding(f"{t.qualname}.{c.name} is a nullable boolean without default: three states",
                                   where(schema, t, c.name), observed="NULL allowed", expected="NOT NULL DEFAULT ..."))
    return out


# -- SD-08 --------------------------------------------------------------------------------------
_CREATED = re.compile(r"^(created|inserted|date_created|creation)(_at|_on|_date|_time|at|on)?$|^createdAt$|^created$", re.I)
_UPDATED = re.compile(r"^(updated|modified|changed|last_modified|date_modified)(_at|_on|_date|_time|at|on)?$|^updatedAt$",
                      re.I)


@lru_cache(maxsize=65536)
def _is(rx: re.Pattern, name: str) -> bool:
    return bool(rx.match(name))


def _join_table(t: Table) -> bool:
    fk_cols = {c for fk in t.foreign_keys for c in fk.columns}
    return bool(fk_cols) and all(c in fk_cols or c in t.primary_key for c in t.columns)


@schema_check("SD-08", "schema.timestamps", "Rows carry created/updated timestamps with a time zone",
              anchors=("dbcritic timestamptz", "pg-index-health columns_with_timestamp_without_timezone"),
              fix="Add created_at/updated_at (timestamptz NOT NULL DEFAULT now(); updated by the ORM or a trigger); "
                  "on PostgreSQL use timestamptz, on MySQL DATETIME in UTC (TIMESTAMP ends in 2038).")
def timestamps(schema: Schema, th: Th) -> list[Finding]:
    out = []
    for t in schema.tables.values():
        if _join_table(t):
            continue
        missing = [label for label, rx in (("created_at", _CREATED), ("updated_at", _UPDATED))
                   if not any(_is(rx, n) for n in t.columns)]
        if missing:
            out.append(Finding(f"{t.qualname} has no {' or '.join(missing)} column", where(schema, t),
                               observed="missing", expected=", ".join(missing), severity="Low"))
        for c in t.columns.values():
            if schema.dialect == "postgresql" and c.kind == "timestamp":
                out.append(Finding(f"{t.qualname}.{c.name} is {c.type}: the time zone is lost",
                                   where(schema, t, c.name), observed=c.type, expected="timestamp with time zone",
                                   severity="Low"))
            elif schema.dialect == "mysql" and c.type.startswith("timestamp"):
                out.append(Finding(f"{t.qualname}.{c.name} is TIMESTAMP: it ends on 2038-01-19", where(schema, t, c.name),
                                   observed=c.type, expected="DATETIME (UTC)", severity="Low"))
    return out


# -- SD-09 --------------------------------------------------------------------------------------
_SOFT = re.compile(r"^(deleted_at|deleted_on|deleted|is_deleted|discarded_at|archived_at|removed_at|deletedAt|isDeleted)$")


@schema_check("SD-09", "schema.soft-delete", "Soft deletion follows one convention and keeps unique keys usable",
              fix="Use one marker (e.g. deleted_at timestamptz) everywhere; make unique indexes partial "
                  "(WHERE deleted_at IS NULL) so a deleted row does not block a new one.")
def soft_delete(schema: Schema, th: Th) -> list[Finding]:
    out = []
    markers: dict[str, list[Table]] = defaultdict(list)
    for t in schema.tables.values():
        for c in t.columns:
            if _SOFT.match(c):
                markers[c].append(t)
    if len(markers) > 1:
        summary = ", ".join(f"{m} ({len(ts)} tables)" for m, ts in sorted(markers.items()))
        out.append(Finding(f"soft deletion uses {len(markers)} different markers: {summary}", schema.source,
                           observed=summary, expected="one marker"))
    for marker, tables in markers.items():
        for t in tables:
            for ix in t.indexes:
                if ix.unique and not ix.primary and not ix.predicate and marker not in ix.columns:
                    out.append(Finding(f"unique index {ix.name} on {t.qualname} ignores {marker}: a deleted row "
                                       "still blocks its key", where(schema, t), observed="unique on all rows",
                                       expected=f"partial unique index WHERE {marker} IS NULL"))
    return out


# -- SD-11 --------------------------------------------------------------------------------------
@schema_check("SD-11", "schema.comments", "Tables are documented in the database",
              thresholds={"min_commented_tables_ratio": 0.5},
              anchors=("pg-index-health tables_without_description",),
              fix="COMMENT ON TABLE/COLUMN (MySQL: COMMENT '...') from the models, so every tool that reads the "
                  "catalog (tbls, SchemaSpy, BI) shows the meaning.")
def comments(schema: Schema, th: Th) -> list[Finding]:
    tables = list(schema.tables.values())
    if not tables or schema.dialect == "sqlite":
        return []  # SQLite has no comments to read
    ratio = sum(1 for t in tables if t.comment.strip()) / len(tables)
    minimum = float(th("min_commented_tables_ratio"))
    if ratio >= minimum:
        return []
    bare = sorted(t.qualname for t in tables if not t.comment.strip())
    return [Finding(f"{len(bare)} of {len(tables)} tables have no comment: {', '.join(bare[:10])}"
                    + (" ..." if len(bare) > 10 else ""), schema.source, observed=f"{ratio:.0%} commented",
                    expected=f">= {minimum:.0%}")]
