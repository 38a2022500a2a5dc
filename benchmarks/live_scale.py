"""A live audit of a PostgreSQL database with 10 000 tables: wall time and number of queries.

    python benchmarks/live_scale.py                  # 10 000 tables on the local server
    python benchmarks/live_scale.py --tables 10 --tables 10000 --runs 3

Creates ``bench_live_<n>`` (tables with a bigint key, a foreign key to the previous table, an
index on it, a text and a timestamptz column; every 10th table without a primary key so the
schema checks have findings to report), runs ``pytest --dbaudit --dbaudit-db URL -m dbaudit_live``
in a subprocess (the whole run: interpreter start, collection, every live item, the reports) and
prints wall time, the number of live items, and the number of SQL statements the items ran. The
database is dropped afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
# Bytecode caching as on a user's machine (some CI images set PYTHONDONTWRITEBYTECODE, which makes
# every run recompile, and re-run pytest's assertion rewriting of, every module it imports).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def create(n: int, admin_url: str = ADMIN, reuse: bool = False, name: str = "") -> str:
    """A database with ``n`` generated tables; returns its URL. Batches of 500 per transaction:
    one transaction creating 10 000 tables would exhaust the lock table."""
    import sqlalchemy as sa

    name = name or f"bench_live_{n}"
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    if reuse:
        with admin.connect() as conn:
            if conn.exec_driver_sql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").first():
                return url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    eng = sa.create_engine(url)
    raw = eng.raw_connection()  # the DBAPI cursor without parameters: format()'s %s stays literal
    cur = raw.cursor()
    for lo in range(1, n + 1, 500):
        hi = min(n, lo + 499)
        cur.execute(f"""
            DO $$ BEGIN FOR i IN {lo}..{hi} LOOP
              EXECUTE format('CREATE TABLE t%s (id bigint %s, parent_id bigint %s, name text NOT NULL, '
                             'created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz)',
                             i, CASE WHEN i % 10 = 0 THEN '' ELSE 'PRIMARY KEY' END,
                             CASE WHEN i > 1 AND (i - 1) % 10 <> 0 THEN format('REFERENCES t%s', i - 1) ELSE '' END);
              EXECUTE format('CREATE INDEX t%s_parent ON t%s (parent_id)', i, i);
            END LOOP; END $$""")
        raw.commit()
    raw.driver_connection.autocommit = True  # ANALYZE outside a transaction block: one table at a time, few locks held
    cur.execute("ANALYZE")
    raw.close()
    eng.dispose()
    return url


def drop(n: int, admin_url: str = ADMIN, name: str = "") -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name or f"bench_live_{n}"}" WITH (FORCE)')
    admin.dispose()


def audit(url: str) -> dict:
    """One full live audit in a fresh interpreter: wall seconds, items, statements."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                               "-p", "no:hypothesispytest", "--dbaudit", f"--dbaudit-db={url}", "-m", "dbaudit_live",
                               f"--dbaudit-json={out}", "--rootdir", tmp], cwd=tmp, capture_output=True, text=True,
                              env=ENV)
        wall = time.perf_counter() - start
        if not out.exists():
            raise SystemExit(f"the audit wrote no report (exit {proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        data = json.loads(out.read_text())
    live = [i for i in data["items"] if i["mode"] == "live"]
    slowest = sorted(live, key=lambda i: -i["duration_s"])[:5]
    return {"wall_s": round(wall, 3), "items": len(live), "queries": sum(len(i["queries"]) for i in live),
            "items_s": round(sum(i["duration_s"] for i in live), 3),
            "outcomes": {o: sum(1 for i in live if i["outcome"] == o) for o in sorted({i["outcome"] for i in live})},
            "slowest": [(i["id"], i["duration_s"]) for i in slowest]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", type=int, action="append", help="table counts (default: 10000)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the generated databases")
    ap.add_argument("--reuse", action="store_true", help="use a database kept by an earlier --keep run")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args()
    results = []
    for n in args.tables or [10_000]:
        t0 = time.perf_counter()
        url = create(n, reuse=args.reuse)
        made = time.perf_counter() - t0
        try:
            audit(url)  # warm-up: writes the bytecode caches, fills the server's catalog caches
            runs = [audit(url) for _ in range(args.runs)]
        finally:
            if not args.keep:
                drop(n)
        walls = [r["wall_s"] for r in runs]
        res = {"tables": n, "create_s": round(made, 1), "wall_s": walls, "median_s": statistics.median(walls),
               **{k: runs[-1][k] for k in ("items", "queries", "items_s", "outcomes", "slowest")}}
        results.append(res)
        print(json.dumps(res))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
