"""Seeded-data mode: representative rows in every table, so data-dependent migration failures show.

Before each revision's upgrade the drill calls ``Seeder.seed(bind)``: an engine (the SQL drill), or the
connection Alembic migrates on (the Alembic drill, between two steps of one transaction, whose uncommitted
tables only that connection sees). It reflects the schema with SQLAlchemy and inserts ``rows`` rows into
every table, parents before children:

* columns with a server default, identity, auto-increment or computed value are left to the database;
* foreign keys point at existing rows of the referred table (the newest ones);
* primary-key and unique columns (constraints and unique indexes) get distinct values across all
  rounds; every other column gets the same value in the first two rows of a round, on purpose, so a
  later ``UNIQUE`` over that column meets duplicates, and the third row leaves nullable columns NULL,
  so a later ``SET NOT NULL`` without a backfill meets NULLs;
* the first row of a round uses the width of its types (a string as long as its ``VARCHAR(n)``, up to
  255 characters; integers and decimals near their limits), so a narrowing type change meets a value
  that does not fit.

A table that cannot be seeded (a check constraint, a type this module does not know, a foreign key to
an empty table) is skipped and reported in ``problems``: seeding never fails the drill by itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

IGNORED_TABLES = {"alembic_version", "schema_migrations", "flyway_schema_history"}
WIDE_STRING = 255

_INT_WIDE = {"TINYINT": 100, "SMALLINT": 2 ** 14, "MEDIUMINT": 2 ** 22, "INTEGER": 2 ** 30, "INT": 2 ** 30,
             "BIGINT": 2 ** 40}
_INT_MAX = {"TINYINT": 127, "SMALLINT": 32767, "MEDIUMINT": 8388607, "INTEGER": 2 ** 31 - 1, "INT": 2 ** 31 - 1,
            "BIGINT": 2 ** 63 - 1}


class Seeder:
    def __init__(self, rows: int):
        self.rows = rows
        self.seq = 0  # distinct values: only ever grows, so rounds never collide
        self.round = 0
        self.inserted = 0
        self.problems: dict[str, str] = {}  # table -> why it could not be (fully) seeded
        self._json: dict[str, set[str]] = {}

    def summary(self) -> str:
        text = (f"seeded {self.rows} row(s) per table before each upgrade: {self.inserted} row(s) "
                f"in {self.round} round(s)")
        if self.problems:
            some = "; ".join(f"{t}: {why}" for t, why in list(self.problems.items())[:5])
            text += f"; not seeded: {some}"
        return text

    def seed(self, bind: Any) -> int:
        """Insert one round of rows into every table; returns the number of rows inserted. ``bind``: an engine
        or a connection (see the module docstring)."""
        import sqlalchemy as sa

        if self.rows <= 0:
            return 0
        self.round += 1
        md = sa.MetaData()
        try:
            with warnings.catch_warnings(), _atomic(bind) as conn:  # a failure must not abort a migration
                warnings.simplefilter("ignore")  # unknown types, FK cycles: handled below
                md.reflect(conn)
                tables = [t for t in md.sorted_tables if t.name not in IGNORED_TABLES]
        except Exception as exc:  # a schema SQLAlchemy cannot reflect: no rows this round, the drill goes on
            self.problems.setdefault("(schema)", f"could not be read: {_short(exc)}")
            return 0
        self._json = _mariadb_json_columns(bind)
        done = 0
        for table in tables:
            try:
                rows = self._rows(bind, table)
            except _Skip as exc:
                self.problems.setdefault(table.name, str(exc))
                continue
            if not rows:
                continue
            done += self._insert(bind, table, rows)
        self.inserted += done
        return done

    # -- rows ------------------------------------------------------------------------------------
    def _rows(self, bind: Any, table: Any) -> list[dict[str, Any]]:
        unique_cols = _unique_columns(table)
        json_cols = self._json.get(table.name, set())
        fk_values = self._foreign_values(bind, table)
        fk_cols = {c for cols in fk_values for c in cols}
        rows: list[dict[str, Any]] = []
        for i in range(self.rows):
            self.seq += 1
            row: dict[str, Any] = {}
            for cols, candidates in fk_values.items():
                if candidates:
                    picked = candidates[i % len(candidates)]
                    row.update(dict(zip(cols, picked)))
                else:
                    row.update({c: None for c in cols})
            for col in table.columns:
                if col.name in fk_cols or _database_fills(col):
                    continue
                unique = col.name in unique_cols
                if not unique and col.nullable and i == 2:
                    row[col.name] = None
                    continue
                n = self.seq if unique else self.round * 10 + i // 2
                if col.name in json_cols:  # MariaDB's JSON: LONGTEXT CHECK (json_valid(col))
                    row[col.name] = f'{{"seed": {n}}}'
                    continue
                row[col.name] = _value(col, n, wide=(i < 2 if not unique else i == 0), unique=unique)
            rows.append(row)
        return rows

    def _foreign_values(self, bind: Any, table: Any) -> dict[tuple[str, ...], list[tuple]]:
        """For each foreign key: existing rows of the referred columns to point at."""
        import sqlalchemy as sa

        out: dict[tuple[str, ...], list[tuple]] = {}
        for fk in table.foreign_key_constraints:
            cols = tuple(fk.column_keys)
            try:
                refs = [e.column for e in fk.elements]
            except Exception:  # the referred table is in a schema we could not reflect
                refs = []
            candidates: list[tuple] = []
            if refs:
                query = sa.select(*refs).distinct().order_by(*[r.desc() for r in refs]).limit(self.rows)
                with _connection(bind) as conn:
                    candidates = [tuple(r) for r in conn.execute(query)]
            if not candidates and not all(table.c[c].nullable for c in cols):
                target = refs[0].table.name if refs else "another schema"
                raise _Skip(f"foreign key ({', '.join(cols)}) needs rows in {target}, which has none")
            out[cols] = candidates
        return out

    def _insert(self, bind: Any, table: Any, rows: list[dict[str, Any]]) -> int:
        try:
            with _atomic(bind) as conn:
                conn.execute(table.insert(), rows)
            return len(rows)
        except Exception as exc:
            first_error = _short(exc)
        done = 0
        for row in rows:  # one by one: keep the rows that fit (a duplicate FK pick, a check constraint)
            try:
                with _atomic(bind) as conn:
                    conn.execute(table.insert(), [row])
                done += 1
            except Exception:
                pass
        if done < len(rows):
            self.problems.setdefault(table.name, f"{len(rows) - done} of {len(rows)} row(s) rejected: {first_error}")
        return done


class _Skip(Exception):
    pass


@contextlib.contextmanager
def _connection(bind: Any) -> Iterator[Any]:
    """A connection to read on: the given one, or a new one from an engine."""
    import sqlalchemy as sa

    if not isinstance(bind, sa.engine.Engine):
        yield bind
        return
    with bind.connect() as conn:
        yield conn


@contextlib.contextmanager
def _atomic(bind: Any) -> Iterator[Any]:
    """Writes that fail alone: a transaction of their own on an engine; on a connection that is inside a
    transaction (a migration's), a savepoint, so a rejected row does not abort the migration."""
    import sqlalchemy as sa

    if isinstance(bind, sa.engine.Engine):
        with bind.begin() as conn:
            yield conn
    elif bind.in_transaction():
        with bind.begin_nested():
            yield bind
    else:
        with bind.begin():
            yield bind


def _short(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return f"{type(orig).__name__}: {text[:200]}"


def _database_fills(col: Any) -> bool:
    return (col.server_default is not None or col.identity is not None or col.computed is not None
            or col.autoincrement is True)


def _unique_columns(table: Any) -> set[str]:
    import sqlalchemy as sa

    out = {c.name for c in table.primary_key.columns}
    for cons in table.constraints:
        if isinstance(cons, sa.UniqueConstraint):
            out.update(c.name for c in cons.columns)
    for idx in table.indexes:
        if idx.unique:
            out.update(c.name for c in idx.columns)
    return out


def _mariadb_json_columns(bind: Any) -> dict[str, set[str]]:
    """MariaDB stores JSON as LONGTEXT with a ``json_valid(col)`` check, which reflection does not show."""
    import re

    if bind.dialect.name not in ("mysql", "mariadb"):
        return {}
    out: dict[str, set[str]] = {}
    try:
        with _connection(bind) as conn:
            rows = conn.exec_driver_sql(
                "SELECT TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
                "WHERE CONSTRAINT_SCHEMA = DATABASE() AND CHECK_CLAUSE LIKE 'json_valid(%%'").all()
    except Exception:  # MySQL: no TABLE_NAME there, and JSON is a real type that reflection knows
        return {}
    for table, clause in rows:
        m = re.fullmatch(r"json_valid\(`?([^`)]+)`?\)", clause.strip(), re.IGNORECASE)
        if m:
            out.setdefault(table, set()).add(m.group(1))
    return out


def _value(col: Any, n: int, wide: bool, unique: bool) -> Any:
    """A value of the column's type: ``n`` makes it distinct, ``wide`` uses the type's width."""
    import sqlalchemy as sa

    t = col.type
    name = type(t).__name__.upper()
    if isinstance(t, sa.Enum) or name in ("ENUM", "SET"):
        values = list(getattr(t, "enums", None) or getattr(t, "values", None) or [])
        return values[n % len(values)] if values else None
    if isinstance(t, sa.Boolean):
        return n % 2 == 0
    if name == "YEAR":
        return 2000 + n % 100
    if name == "BIT":
        return 1
    if isinstance(t, sa.Integer):
        top = _INT_MAX.get(name, 2 ** 31 - 1)
        if wide:
            base = _INT_WIDE.get(name, 2 ** 30)
            return min(base + n % base, top)
        return n % top
    if isinstance(t, sa.Float):
        return float(n) + 0.5
    if isinstance(t, sa.Numeric):
        p, s = getattr(t, "precision", None), getattr(t, "scale", None) or 0
        digits = (p - s) if p else 8
        frac = decimal.Decimal(5).scaleb(-1) if s else decimal.Decimal(0)
        if digits <= 0:
            return decimal.Decimal(n % 10).scaleb(-1) if s else 0
        limit = 10 ** digits
        whole = limit - 1 - (n % min(limit, 10 ** 6)) if wide else n % limit
        return decimal.Decimal(whole) + (frac if s else 0)
    if isinstance(t, sa.DateTime):
        value = dt.datetime(2024, 1, 1, 12, 0) + dt.timedelta(minutes=n)
        return value.replace(tzinfo=dt.timezone.utc) if getattr(t, "timezone", False) else value
    if isinstance(t, sa.Date):
        return dt.date(2024, 1, 1) + dt.timedelta(days=n % 20000)
    if isinstance(t, sa.Time):
        return dt.time(n % 24, n % 60, (n // 60) % 60)
    if isinstance(t, sa.Interval) or name == "INTERVAL":
        return dt.timedelta(hours=n)
    if isinstance(t, sa.Uuid) or name in ("UUID", "UNIQUEIDENTIFIER"):
        value = uuid.UUID(int=n)
        return value if getattr(t, "as_uuid", False) else str(value)
    if isinstance(t, sa.JSON):
        return {"seed": n}
    if isinstance(t, sa.ARRAY):
        item = sa.Column("item", t.item_type)
        return [_value(item, n, wide=False, unique=unique)]
    if isinstance(t, sa.LargeBinary) or name in ("BYTEA", "BLOB", "VARBINARY", "BINARY"):
        length = getattr(t, "length", None)
        data = f"seed{n}".encode()
        return data[:length] if length else data
    if name == "INET":
        return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
    if name == "CIDR":
        return f"10.{(n >> 8) & 255}.{n & 255}.0/24"
    if name in ("MACADDR", "MACADDR8"):
        return f"08:00:2b:{(n >> 16) & 255:02x}:{(n >> 8) & 255:02x}:{n & 255:02x}"
    if name == "MONEY":
        return f"{n}.50"
    if name == "TSVECTOR":
        return f"seed{n}"
    if isinstance(t, sa.String) or name in ("CITEXT", "XML"):
        return _text(col.name, n, getattr(t, "length", None), wide)
    # a type this module does not know (NullType when SQLAlchemy does not either): NULL where allowed,
    # else a short text the server may accept; a rejected row is reported, not fatal
    return None if col.nullable else str(n)


def _text(column: str, n: int, length: int | None, wide: bool) -> str:
    if "email" in column.lower():
        base = f"user{n}@example.com"
    else:
        base = f"{column[:12]}-{_base36(n)}"
    if length is not None and len(base) > length:
        base = _base36(n)[-length:] if length else ""
    if wide:
        size = min(length or WIDE_STRING, WIDE_STRING)
        base = (base + "x" * size)[:size] if len(base) < size else base
    return base


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out
