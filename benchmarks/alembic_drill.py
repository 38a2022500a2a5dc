"""The MG-04 Alembic drill against pytest-alembic and the plain Alembic CLI, on one generated history.

    python benchmarks/alembic_drill.py [--revisions 160] [--runs 3] [--postgresql URL] [--json PATH]
        [--pytest] [--only VARIANT ...] [--keep DIR] [--check]

Writes a deterministic Alembic project into a temp dir (removed at the end, unless ``--keep``):
``--revisions`` revisions (default 160) that create tables (identity and serial keys, defaults,
foreign keys), add, widen, rename and drop columns, add indexes (composite, partial, unique),
foreign keys, unique and check constraints, set NOT NULL after a backfill, and move data
(``bulk_insert`` into lookup tables, ``UPDATE`` backfills); every revision has a correct downgrade.
``env.py`` is Alembic's ``generic`` template (``fileConfig`` logging, ``engine_from_config`` with
``NullPool``) plus the ``config.attributes["connection"]`` hook that pytest-alembic documents, so
pytest-alembic reuses its own engine. Every measurement gets a fresh database (``bench_alembic_...``,
created and dropped outside the timing) on the PostgreSQL server (``--postgresql``, else
``DBAUDIT_THROWAWAY_POSTGRESQL``, else the local one). Variants (``--only``), interleaved per round:

* ``dbaudit``: the MG-04 drill's child runner, started the way the MG-04 rule starts it
  (``pytest_dbaudit.rules.migrations._run_child`` with the rule's request: ``seed_rows`` 0,
  progress on). One ``env.py`` run; each revision in turn upgraded, downgraded (the schema compared
  with the one before its upgrade) and upgraded again, the schema read on the migration's own
  connection after the downgrade and after the re-upgrade. Process start included.
* ``dbaudit-floor`` (information): the same child with every schema read replaced by an empty
  text: what the migrations themselves, Alembic and the process start cost, the drill's floor.
* ``pytest-alembic``: ``pytest --test-alembic`` with ``pytest_alembic_include = up_down_consistency``
  (up one at a time, down one at a time, up one at a time), other plugins not loaded
  (``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 -p pytest_alembic``). Process start included; the test's own
  duration (setup + call, from its JUnit XML) is reported too.
* ``pytest-alembic-plain`` (information): the same with ``env.py`` ignoring the hook, as the generic
  template does: every command then creates its engine from ``sqlalchemy.url``, as in the drill.
* ``cli``: ``alembic upgrade head``, ``alembic downgrade base``, ``alembic upgrade head``: three
  processes.
* ``pytest`` (information, also with ``--pytest``): a whole ``pytest --dbaudit --dbaudit-only -k
  "MG-04 and drill"`` run (pytest start, collection, throwaway database from
  ``DBAUDIT_THROWAWAY_POSTGRESQL``, the drill).

Targets: the drill at most 0.5x pytest-alembic's wall time and at most 1.3x the CLI's. ``--check``
exits 1 when one is missed. A variant whose run fails exits 2. Needs ``pip install pytest-alembic``
for its two variants.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pytest_dbaudit.targets import driver_url  # noqa: E402

DEFAULT_SERVER = os.environ.get("DBAUDIT_THROWAWAY_POSTGRESQL", "postgresql://postgres@127.0.0.1:5432/postgres")
TARGET_VS_PYTEST_ALEMBIC = 0.5
TARGET_VS_CLI = 1.3

# -- the generated history -----------------------------------------------------------------------

NOUNS = ["account", "customer", "address", "product", "category", "supplier", "warehouse", "stock_item",
         "purchase_order", "order_line", "invoice", "payment", "refund", "shipment", "carrier", "coupon",
         "campaign", "review", "wishlist", "cart", "cart_item", "tax_rate", "currency", "country", "region",
         "store", "employee", "shift", "department", "ticket", "ticket_comment", "attachment", "audit_event",
         "api_key", "webhook", "subscription", "plan", "usage_record", "price_list", "price", "discount",
         "gift_card", "loyalty_tier", "loyalty_point", "return_request", "vendor_contract", "notification",
         "session_token", "feature_flag", "report_job"]
LOOKUPS = {"currency", "country", "region", "tax_rate", "loyalty_tier", "plan", "carrier", "category"}
EXTRA_COLS = [  # name, type expression, kind
    ("description", "sa.Text()", "text"), ("status", "sa.String(length=32)", "str"), ("notes", "sa.Text()", "text"),
    ("external_ref", "sa.String(length=64)", "str"), ("email", "sa.String(length=255)", "str"),
    ("quantity", "sa.Integer()", "int"), ("amount", "sa.Numeric(precision=12, scale=2)", "num"),
    ("is_active", "sa.Boolean()", "bool"), ("updated_at", "sa.DateTime(timezone=True)", "ts"),
    ("valid_from", "sa.Date()", "date"), ("priority", "sa.SmallInteger()", "int"),
    ("slug", "sa.String(length=80)", "str"),
    ("weight_grams", "sa.Integer()", "int"), ("phone", "sa.String(length=40)", "str"),
    ("metadata_json", "postgresql.JSONB()", "json"), ("score", "sa.Float()", "num"),
    ("code", "sa.String(length=24)", "str"),
    ("deleted_at", "sa.DateTime(timezone=True)", "ts"), ("version", "sa.Integer()", "int"),
    ("locale", "sa.String(length=16)", "str"), ("title", "sa.String(length=200)", "str"),
]
DEFAULTS = {"str": "'n/a'", "text": "''", "int": "0", "num": "0", "bool": "false", "ts": "now()",
            "date": "CURRENT_DATE", "json": "'{}'::jsonb"}


@dataclass
class Column:
    name: str
    type_expr: str
    kind: str
    nullable: bool = True
    default: str | None = None
    busy: bool = False  # indexed, constrained or referenced: not renamed, dropped or retyped


@dataclass
class Table:
    name: str
    pk_type: str
    lookup: bool
    cols: dict[str, Column] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)  # column and index names ever used
    codes: int = 0


def _col_expr(c: Column) -> str:
    parts = [repr(c.name), c.type_expr]
    if c.default is not None:
        parts.append(f"server_default=sa.text({c.default!r})")
    parts.append(f"nullable={c.nullable}")
    return f"sa.Column({', '.join(parts)})"


KINDS = (("create_table", 22), ("add_column", 20), ("add_index", 14), ("add_foreign_key", 10), ("add_unique", 5),
         ("widen", 5), ("rename", 4), ("not_null", 4), ("seed_lookup", 5), ("backfill", 4), ("check", 4),
         ("drop_column", 3))


class History:
    """A deterministic, realistic linear history; each step returns (slug, upgrade lines, downgrade lines)."""

    def __init__(self, seed: int = 7):
        self.rng = random.Random(seed)
        self.tables: dict[str, Table] = {}
        self.nouns = list(NOUNS)
        self.counts: dict[str, int] = {}

    def _pick_table(self, pred=lambda t: True) -> Table | None:
        cands = [t for t in self.tables.values() if pred(t)]
        return self.rng.choice(cands) if cands else None

    def _free_cols(self, t: Table, kinds=None) -> list[Column]:
        return [c for c in t.cols.values() if not c.busy and (kinds is None or c.kind in kinds)]

    def create_table(self):
        if not self.nouns:
            return None
        name = self.nouns.pop(0)
        lookup = name in LOOKUPS
        pk_type = self.rng.choice(["sa.BigInteger()", "sa.Integer()"])
        t = Table(name, pk_type, lookup)
        pk = ("sa.Column('id', sa.BigInteger(), sa.Identity(always=False), primary_key=True)"
              if pk_type.startswith("sa.Big")
              else "sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True)")
        cols = [pk]
        if lookup:
            for c in (Column("code", "sa.String(length=24)", "str", nullable=False, busy=True),
                      Column("label", "sa.String(length=120)", "str", nullable=False)):
                t.cols[c.name] = c
                cols.append(_col_expr(c))
            cols.append(f"sa.UniqueConstraint('code', name='uq_{name}_code')")
        else:
            c = Column("name", "sa.String(length=120)", "str", nullable=False)
            t.cols["name"] = c
            cols.append(_col_expr(c))
            for extra in self.rng.sample(EXTRA_COLS, self.rng.randint(1, 3)):
                c = Column(extra[0], extra[1], extra[2])
                t.cols[c.name] = c
                cols.append(_col_expr(c))
        ts = Column("created_at", "sa.DateTime(timezone=True)", "ts", nullable=False, default="now()")
        t.cols["created_at"] = ts
        cols.append(_col_expr(ts))
        up, down = [], []
        parent = self._pick_table(lambda p: not p.lookup) if not lookup and self.rng.random() < 0.6 else None
        if parent is not None:
            fk = Column(f"{parent.name}_id", parent.pk_type, "int", nullable=self.rng.random() < 0.5, busy=True)
            t.cols[fk.name] = fk
            cols.append(_col_expr(fk))
            cols.append(f"sa.ForeignKeyConstraint([{fk.name!r}], ['{parent.name}.id'], "
                        f"name='fk_{name}_{parent.name}_id', "
                        "ondelete='CASCADE')")
        body = ",\n        ".join(cols)
        up.append(f"op.create_table(\n        {name!r},\n        {body},\n    )")
        if parent is not None:
            up.append(f"op.create_index('ix_{name}_{parent.name}_id', {name!r}, ['{parent.name}_id'])")
            down.append(f"op.drop_index('ix_{name}_{parent.name}_id', table_name={name!r})")
        if not lookup:
            up.append(f"op.create_index('ix_{name}_name', {name!r}, ['name'])")
            down.append(f"op.drop_index('ix_{name}_name', table_name={name!r})")
            t.cols["name"].busy = True
        down.append(f"op.drop_table({name!r})")
        t.used |= set(t.cols) | {"ix_name", "ix_code"}
        self.tables[name] = t
        return f"create_{name}", up, down

    def add_column(self):
        t = self._pick_table()
        names = [e for e in EXTRA_COLS if e[0] not in t.used]
        if not names:
            return None
        name, type_expr, kind = self.rng.choice(names)
        with_default = self.rng.random() < 0.35
        c = Column(name, type_expr, kind, nullable=not with_default, default=DEFAULTS[kind] if with_default else None)
        t.cols[name] = c
        t.used.add(name)
        return (f"add_{t.name}_{name}", [f"op.add_column({t.name!r}, {_col_expr(c)})"],
                [f"op.drop_column({t.name!r}, {name!r})"])

    def add_index(self):
        t = self._pick_table(lambda t: self._free_cols(t, {"str", "int", "ts", "date", "bool", "num"}))
        if t is None:
            return None
        cols = self._free_cols(t, {"str", "int", "ts", "date", "bool", "num"})
        c = self.rng.choice(cols)
        names = [c.name]
        if len(cols) > 1 and self.rng.random() < 0.25:
            other = self.rng.choice([o for o in cols if o is not c])
            names.append(other.name)
        ix = f"ix_{t.name}_{'_'.join(names)}"
        if ix in t.used:
            return None
        t.used.add(ix)
        for n in names:
            t.cols[n].busy = True
        extra = ""
        if len(names) == 1 and c.nullable and self.rng.random() < 0.3:
            extra = f", postgresql_where=sa.text('{c.name} IS NOT NULL')"
        return (f"index_{t.name}_{'_'.join(names)}", [f"op.create_index({ix!r}, {t.name!r}, {names!r}{extra})"],
                [f"op.drop_index({ix!r}, table_name={t.name!r})"])

    def add_foreign_key(self):
        t = self._pick_table()
        ref = self._pick_table(lambda r: r is not t and f"{r.name}_id" not in t.used)
        if ref is None:
            return None
        col = f"{ref.name}_id"
        c = Column(col, ref.pk_type, "int", busy=True)
        t.cols[col] = c
        t.used |= {col, f"ix_{t.name}_{col}"}
        fk = f"fk_{t.name}_{col}"
        up = [f"op.add_column({t.name!r}, {_col_expr(c)})",
              f"op.create_foreign_key({fk!r}, {t.name!r}, {ref.name!r}, [{col!r}], ['id'], ondelete='SET NULL')",
              f"op.create_index('ix_{t.name}_{col}', {t.name!r}, [{col!r}])"]
        down = [f"op.drop_index('ix_{t.name}_{col}', table_name={t.name!r})",
                f"op.drop_constraint({fk!r}, {t.name!r}, type_='foreignkey')",
                f"op.drop_column({t.name!r}, {col!r})"]
        return f"{t.name}_references_{ref.name}", up, down

    def add_unique(self):
        t = self._pick_table(lambda t: not t.lookup and "external_ref" not in t.used)
        if t is None:
            return None
        c = Column("external_ref", "sa.String(length=64)", "str", busy=True)
        t.cols[c.name] = c
        t.used.add(c.name)
        uq = f"uq_{t.name}_external_ref"
        return (f"unique_{t.name}_external_ref",
                [f"op.add_column({t.name!r}, {_col_expr(c)})",
                 f"op.create_unique_constraint({uq!r}, {t.name!r}, ['external_ref'])"],
                [f"op.drop_constraint({uq!r}, {t.name!r}, type_='unique')",
                 f"op.drop_column({t.name!r}, 'external_ref')"])

    def widen(self):
        t = self._pick_table(lambda t: any(c.type_expr.startswith("sa.String(") for c in self._free_cols(t)))
        if t is None:
            return None
        c = self.rng.choice([c for c in self._free_cols(t) if c.type_expr.startswith("sa.String(")])
        n = int(re.search(r"\d+", c.type_expr).group())
        old, new = c.type_expr, f"sa.String(length={n * 2})"
        alter = f"op.alter_column({t.name!r}, {c.name!r}"
        c.type_expr = new
        return (f"widen_{t.name}_{c.name}",
                [f"{alter}, existing_type={old}, type_={new}, existing_nullable={c.nullable})"],
                [f"{alter}, existing_type={new}, type_={old}, existing_nullable={c.nullable})"])

    def rename(self):
        t = self._pick_table(lambda t: self._free_cols(t))
        if t is None:
            return None
        c = self.rng.choice(self._free_cols(t))
        new = f"{c.name}_v2"
        if new in t.used:
            return None
        t.used.add(new)
        del t.cols[c.name]
        old, c.name = c.name, new
        t.cols[new] = c
        return (f"rename_{t.name}_{old}", [f"op.alter_column({t.name!r}, {old!r}, new_column_name={new!r})"],
                [f"op.alter_column({t.name!r}, {new!r}, new_column_name={old!r})"])

    def not_null(self):
        t = self._pick_table(lambda t: any(c.nullable and c.default is None for c in self._free_cols(t)))
        if t is None:
            return None
        c = self.rng.choice([c for c in self._free_cols(t) if c.nullable and c.default is None])
        d = DEFAULTS[c.kind]
        c.nullable, c.default = False, d
        alter = f"op.alter_column({t.name!r}, {c.name!r}, existing_type={c.type_expr}"
        return (f"{t.name}_{c.name}_not_null",
                [f"op.execute(\"UPDATE {t.name} SET {c.name} = {d} WHERE {c.name} IS NULL\")",
                 f"{alter}, server_default=sa.text({d!r}), nullable=False)"],
                [f"{alter}, server_default=None, nullable=True)"])

    def seed_lookup(self):
        t = self._pick_table(lambda t: t.lookup)
        if t is None:
            return None
        rows = [{"code": f"{t.name[:3]}{t.codes + i:03d}", "label": f"{t.name.replace('_', ' ')} {t.codes + i}"}
                for i in range(self.rng.randint(3, 12))]
        t.codes += len(rows)
        codes = [r["code"] for r in rows]
        return (f"seed_{t.name}",
                [f"table = sa.table({t.name!r}, sa.column('code', sa.String), sa.column('label', sa.String))",
                 f"op.bulk_insert(table, {rows!r})"],
                [f"table = sa.table({t.name!r}, sa.column('code', sa.String))",
                 f"op.execute(table.delete().where(table.c.code.in_({codes!r})))"])

    def backfill(self):
        t = self._pick_table(lambda t: not t.lookup and "name_search" not in t.used)
        if t is None:
            return None
        t.used.add("name_search")
        t.cols["name_search"] = Column("name_search", "sa.String(length=120)", "str")
        return (f"backfill_{t.name}_name_search",
                [f"op.add_column({t.name!r}, sa.Column('name_search', sa.String(length=120), nullable=True))",
                 f"op.execute(\"UPDATE {t.name} SET name_search = lower(name)\")"],
                [f"op.drop_column({t.name!r}, 'name_search')"])

    def check(self):
        t = self._pick_table(lambda t: self._free_cols(t, {"int", "num"}))
        if t is None:
            return None
        c = self.rng.choice(self._free_cols(t, {"int", "num"}))
        c.busy = True
        ck = f"ck_{t.name}_{c.name}_non_negative"
        return (f"check_{t.name}_{c.name}", [f"op.create_check_constraint({ck!r}, {t.name!r}, '{c.name} >= 0')"],
                [f"op.drop_constraint({ck!r}, {t.name!r}, type_='check')"])

    def drop_column(self):
        t = self._pick_table(lambda t: [c for c in self._free_cols(t) if c.name not in ("name", "label", "created_at")])
        if t is None:
            return None
        c = self.rng.choice([c for c in self._free_cols(t) if c.name not in ("name", "label", "created_at")])
        del t.cols[c.name]
        return (f"drop_{t.name}_{c.name}", [f"op.drop_column({t.name!r}, {c.name!r})"],
                [f"op.add_column({t.name!r}, {_col_expr(c)})"])

    def step(self, n: int):
        if n < 6:
            return self.create_table()
        names, weights = zip(*KINDS)
        for _ in range(50):
            kind = self.rng.choices(names, weights)[0]
            made = getattr(self, kind)()
            if made is not None:
                self.counts[kind] = self.counts.get(kind, 0) + 1
                return made
        return self.add_column()


REVISION = '''"""{message}

Revision ID: {rev}
Revises: {down}
Create Date: 2026-01-01 00:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = {rev!r}
down_revision = {down_repr}
branch_labels = None
depends_on = None


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''

ENV_PY = '''import os
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from alembic import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # pytest-alembic hands its engine over through config.attributes (its documented env.py setup);
    # BENCH_ENV_PY_WITHOUT_HOOK makes this the plain generic template, which ignores it
    connectable = config.attributes.get("connection", None)
    if connectable is None or os.environ.get("BENCH_ENV_PY_WITHOUT_HOOK"):
        connectable = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                         poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

ALEMBIC_INI = """[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
sqlalchemy.url = {url}

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

CONFTEST = '''import os

import pytest
import sqlalchemy as sa


@pytest.fixture
def alembic_config():
    return {"file": os.environ["BENCH_ALEMBIC_INI"], "sqlalchemy.url": os.environ["BENCH_DATABASE_URL"]}


@pytest.fixture
def alembic_engine():
    engine = sa.create_engine(os.environ["BENCH_DATABASE_URL"])
    yield engine
    engine.dispose()
'''


def _indent(lines: list[str]) -> str:
    return textwrap.indent("\n".join(lines) if lines else "pass", "    ")


def generate(root: Path, revisions: int, seed: int = 7) -> dict:
    """The Alembic project under ``root``; returns a summary."""
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "migrations" / "env.py").write_text(ENV_PY)
    (root / "alembic.ini").write_text(ALEMBIC_INI.format(url="postgresql://placeholder/none"))
    (root / "tests").mkdir()
    (root / "tests" / "conftest.py").write_text(CONFTEST)
    (root / "pytest.ini").write_text("[pytest]\npytest_alembic_include = up_down_consistency\n")
    history = History(seed)
    rng = random.Random(seed + 1)
    down = None
    ops = 0
    for n in range(revisions):
        slug, up, dn = history.step(n)
        rev = f"{rng.getrandbits(48):012x}"
        ops += len(up)
        text = REVISION.format(message=slug.replace("_", " "), rev=rev, down=down or "", down_repr=repr(down),
                               upgrade=_indent(up), downgrade=_indent(dn))
        (versions / f"{rev}_{slug}.py").write_text(text)
        down = rev
    cols = sum(len(t.cols) for t in history.tables.values())
    return {"revisions": revisions, "operations": ops, "tables": len(history.tables), "columns_at_head": cols,
            "kinds": dict(sorted(history.counts.items(), key=lambda kv: -kv[1]))}


# -- databases -----------------------------------------------------------------------------------

class Server:
    def __init__(self, admin_url: str):
        import sqlalchemy as sa

        self.url = driver_url(admin_url)
        self.admin = sa.create_engine(self.url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=0)
        self.n = 0
        with self.admin.connect() as conn:
            self.version = conn.exec_driver_sql("SHOW server_version").scalar()

    def create(self) -> tuple[str, str]:
        from urllib.parse import urlsplit

        self.n += 1
        name = f"bench_alembic_{os.getpid()}_{self.n}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        return name, urlsplit(self.url)._replace(path=f"/{name}").geturl()

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.admin.dispose()


# -- the variants --------------------------------------------------------------------------------

class Failed(Exception):
    pass


def run_dbaudit(root: Path, url: str, _server) -> dict:
    from pytest_dbaudit.rules.migrations import _run_child

    settings = {"env": {}, "url_env": [], "timeout_s": 3600}
    t = time.perf_counter()
    # the request MG-04 sends (seed_rows 0), with a progress callback as the rule passes one
    result = _run_child(root / "alembic.ini", url, settings, {"seed_rows": 0}, progress=lambda *a: None)
    wall = time.perf_counter() - t
    if not result.get("ok") or result.get("failures"):
        raise Failed(f"dbaudit drill: {json.dumps(result)[:2000]}")
    return {"wall": wall, "steps": result.get("steps")}


def run_dbaudit_floor(root: Path, url: str, _server) -> dict:
    from pytest_dbaudit.drills.alembic_env import child_env as _child_env

    ini = root / "alembic.ini"
    code = ("import runpy\nfrom pytest_dbaudit.drills import schema_fingerprint\n"
            "schema_fingerprint.SchemaReader.read = lambda self, conn: ''\n"
            "runpy.run_module('pytest_dbaudit.drills.alembic_runner', run_name='__main__')\n")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], input=json.dumps({"ini": str(ini), "url": url}), cwd=root,
                          env=_child_env(ini, url, {}), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    result = json.loads(proc.stdout.split("@@DBAUDIT@@")[-1]) if "@@DBAUDIT@@" in proc.stdout else {}
    if not result.get("ok"):
        raise Failed(f"dbaudit floor: {proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return {"wall": wall}


def run_pytest_alembic(root: Path, url: str, _server, hook: bool = True) -> dict:
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", BENCH_DATABASE_URL=url,
               BENCH_ALEMBIC_INI=str(root / "alembic.ini"))
    if not hook:
        env["BENCH_ENV_PY_WITHOUT_HOOK"] = "1"
    junit = root / "pytest_alembic.xml"
    cmd = [sys.executable, "-m", "pytest", "-p", "pytest_alembic", "--test-alembic", "-q", "-p", "no:cacheprovider",
           f"--junitxml={junit}", "-o", "junit_family=xunit1"]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    if proc.returncode != 0 or "1 passed" not in proc.stdout:
        raise Failed(f"pytest-alembic: rc {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
    case = ET.parse(junit).getroot().find(".//testcase")
    return {"wall": wall, "test": float(case.get("time")), "name": case.get("name")}


def run_cli(root: Path, url: str, _server) -> dict:
    ini = root / "cli.ini"
    ini.write_text(ALEMBIC_INI.format(url=url.replace("%", "%%")))
    alembic = shutil.which("alembic") or None
    base = [alembic] if alembic else [sys.executable, "-m", "alembic"]
    t = time.perf_counter()
    for args in (("upgrade", "head"), ("downgrade", "base"), ("upgrade", "head")):
        proc = subprocess.run([*base, "-c", str(ini), *args], cwd=root, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise Failed(f"alembic {' '.join(args)}: rc {proc.returncode}\n{proc.stderr[-3000:]}")
    return {"wall": time.perf_counter() - t}


def run_dbaudit_pytest(root: Path, _url: str, server: Server) -> dict:
    report = root / "audit.json"
    env = dict(os.environ, DBAUDIT_THROWAWAY_POSTGRESQL=server.url)
    cmd = [sys.executable, "-m", "pytest", "--dbaudit", "--dbaudit-only", "--dbaudit-repo", str(root),
           "--dbaudit-drill-engine", "postgresql", "--dbaudit-no-containers", "-k", "MG-04 and drill", "-q",
           "-p", "no:cacheprovider", f"--dbaudit-json={report}", f"--rootdir={root}"]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    items = [i for i in json.loads(report.read_text()).get("items", []) if i.get("mode") == "drill"] \
        if report.exists() else []
    outcomes = {i.get("outcome") for i in items}
    if outcomes != {"pass"}:
        raise Failed(f"pytest --dbaudit: rc {proc.returncode}, outcomes {outcomes}\n{proc.stdout[-3000:]}")
    return {"wall": wall}


OURS = "dbaudit MG-04 drill"
FLOOR = "dbaudit drill without schema reads (info)"
PA = "pytest-alembic up_down_consistency"
PA_PLAIN = "pytest-alembic, env.py without the hook (info)"
CLI = "alembic CLI up/down/up"
PYTEST = "pytest --dbaudit -k MG-04 (info)"
VARIANTS = {
    "dbaudit": (OURS, run_dbaudit),
    "dbaudit-floor": (FLOOR, run_dbaudit_floor),
    "pytest-alembic": (PA, run_pytest_alembic),
    "pytest-alembic-plain": (PA_PLAIN, lambda root, url, server: run_pytest_alembic(root, url, server, hook=False)),
    "cli": (CLI, run_cli),
    "pytest": (PYTEST, run_dbaudit_pytest),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--revisions", type=int, default=160)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--postgresql", default=DEFAULT_SERVER, help="a server on which bench_* databases may be created")
    ap.add_argument("--only", action="append", choices=list(VARIANTS), help="run only these variants (repeatable)")
    ap.add_argument("--pytest", action="store_true", help="also time a whole pytest --dbaudit -k MG-04 run")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--keep", type=Path, help="write the project here and keep it")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)
    # Every variant starts Python processes (env.py children, alembic, pytest): let them cache bytecode
    # as on a developer's machine, instead of compiling every module at every start.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

    chosen = args.only or [k for k in VARIANTS if k != "pytest" or args.pytest]
    variants = dict(VARIANTS[k] for k in VARIANTS if k in chosen)

    if args.keep:
        root = args.keep.resolve()
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
    else:
        root = Path(tempfile.mkdtemp(prefix="dbaudit-alembicbench-"))
    server = Server(args.postgresql)
    results: dict[str, list[dict]] = {k: [] for k in variants}
    try:
        summary = generate(root, args.revisions)
        print(f"{summary['revisions']} revisions, {summary['operations']} operations, {summary['tables']} tables and "
              f"{summary['columns_at_head']} columns at head; PostgreSQL {server.version}")
        print("  " + ", ".join(f"{k} {v}" for k, v in summary["kinds"].items()))
        names = list(variants)
        for name in names:  # warm-up, not counted: bytecode caches written, the server's caches filled
            db, url = server.create()
            try:
                variants[name](root, url, server)
            finally:
                server.drop(db)
        for n in range(args.runs):
            order = names[n % len(names):] + names[:n % len(names)]  # rotate: the machine's load drifts
            for name in order:
                db, url = server.create()
                try:
                    sample = variants[name](root, url, server)
                finally:
                    server.drop(db)
                results[name].append(sample)
                extra = f" (test {sample['test']:.2f} s)" if "test" in sample else ""
                print(f"  round {n + 1}: {name:<48} {sample['wall']:7.2f} s{extra}", flush=True)
    except Failed as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 2
    finally:
        server.close()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    print()
    print(f"{'variant':<48} {'runs':>4} {'median s':>9} {'min s':>8} {'max s':>8}")
    med = {}
    for name, samples in results.items():
        walls = [s["wall"] for s in samples]
        med[name] = statistics.median(walls)
        print(f"{name:<48} {len(walls):>4} {med[name]:>9.2f} {min(walls):>8.2f} {max(walls):>8.2f}")
        if samples and "test" in samples[0]:
            tests = [s["test"] for s in samples]
            med[f"{name}: test only"] = statistics.median(tests)
            print(f"{'  of which the test (setup + call)':<48} {len(tests):>4} {statistics.median(tests):>9.2f} "
                  f"{min(tests):>8.2f} {max(tests):>8.2f}")

    verdicts = []
    ours = med.get(OURS)
    if ours is not None and PA in med:
        ratio = ours / med[PA]
        verdicts.append((f"drill / pytest-alembic = {ratio:.2f} (target <= {TARGET_VS_PYTEST_ALEMBIC})",
                         ratio <= TARGET_VS_PYTEST_ALEMBIC))
    if ours is not None and CLI in med:
        ratio = ours / med[CLI]
        verdicts.append((f"drill / alembic CLI = {ratio:.2f} (target <= {TARGET_VS_CLI})", ratio <= TARGET_VS_CLI))
    if ours is not None:
        for name in (f"{PA}: test only", PA_PLAIN, f"{PA_PLAIN}: test only", FLOOR):
            if name in med:
                print(f"info: drill / {name} = {ours / med[name]:.2f}")
    for text, ok in verdicts:
        print(f"{'ok  ' if ok else 'MISS'} {text}")
    if args.json:
        args.json.write_text(json.dumps({"history": summary, "postgresql": server.version, "runs": args.runs,
                                         "samples": results, "medians_s": med,
                                         "verdicts": [{"text": t, "ok": ok} for t, ok in verdicts]}, indent=2))
    if args.check and not all(ok for _, ok in verdicts):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
