"""Time to a fresh, empty throwaway database for a drill, as the drills get them.

    python benchmarks/fresh_database.py [--runs 30] [--engine postgresql --engine mariadb]
        [--postgresql URL] [--mariadb URL] [--containers] [--json PATH] [--max-seconds 0.3]

Each measurement is ``ThrowawayProvider.create(engine)`` plus the drill's first connection and a
``SELECT 1`` on the new database: the time from asking for a database to running SQL in it. On
PostgreSQL the provider creates one empty database per run and clones it with ``CREATE DATABASE x
TEMPLATE y`` for every later drill; the baseline is a plain ``CREATE DATABASE`` (from ``template1``)
plus the same connection, one of each per round, in alternating order. Databases are dropped as
they are measured (``ThrowawayProvider.drop``).
Defaults: the local servers (PostgreSQL 127.0.0.1:5432 user postgres, MariaDB 127.0.0.1:3306 root),
or ``DBAUDIT_THROWAWAY_POSTGRESQL`` / ``DBAUDIT_THROWAWAY_MARIADB``. ``--containers`` measures a
container per engine instead (its start is reported on its own line). Exit 1 when the median of a
fresh database exceeds ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pytest_dbaudit.targets import driver_url  # noqa: E402
from pytest_dbaudit.throwaway import ThrowawayProvider  # noqa: E402

SERVERS = {
    "postgresql": os.environ.get("DBAUDIT_THROWAWAY_POSTGRESQL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    "mariadb": os.environ.get("DBAUDIT_THROWAWAY_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test"),
}


def _ready(url: str) -> None:
    """The drill's first connection to the new database, and one statement."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    engine = sa.create_engine(driver_url(url), poolclass=NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    engine.dispose()


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"runs": len(samples), "median_s": statistics.median(samples), "p95_s": p95, "min_s": ordered[0],
            "max_s": ordered[-1]}


def measure(engine: str, runs: int, containers: bool, server: str) -> dict:
    settings = {"containers": containers, engine: server}
    provider = ThrowawayProvider(settings, use_containers=containers)
    out: dict = {"engine": engine}
    try:
        t = time.perf_counter()
        out["source"] = provider.availability(engine)  # opens the server (starts the container)
        out["server_open_s"] = time.perf_counter() - t
        t = time.perf_counter()
        first = provider.create(engine)  # PostgreSQL: the run's empty template, then its first clone
        _ready(first.url)
        out["first_s"] = time.perf_counter() - t
        provider.drop(first)
        fresh, drops, plain = [], [], []
        for n in range(runs):
            # one of each per round, the order swapped every other round (the machine's load drifts)
            for kind in (("fresh", "plain") if n % 2 == 0 else ("plain", "fresh")):
                if kind == "plain":
                    if engine == "postgresql":
                        plain.append(_plain_create(provider, n))
                    continue
                t = time.perf_counter()
                db = provider.create(engine)
                _ready(db.url)
                fresh.append(time.perf_counter() - t)
                t = time.perf_counter()
                provider.drop(db)
                drops.append(time.perf_counter() - t)
        out["fresh"] = _stats(fresh)
        out["drop"] = _stats(drops)
        if plain:
            out["baseline_create_database"] = _stats(plain)
            out["paired_saving_median_s"] = statistics.median(p - f for p, f in zip(plain, fresh))
    finally:
        provider.close()
    return out


def _plain_create(provider: ThrowawayProvider, n: int) -> float:
    """``CREATE DATABASE`` from template1 on the same server and connection: what cloning is compared with."""
    server = provider._server("postgresql")
    base = driver_url(server.admin_url).rsplit("/", 1)[0]
    name = f"{provider.run_id}_plain_{n}"
    t = time.perf_counter()
    server._exec(f'CREATE DATABASE "{name}"')
    _ready(f"{base}/{name}")
    took = time.perf_counter() - t
    server._exec(f'DROP DATABASE "{name}" WITH (FORCE)')
    return took


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--engine", action="append", choices=sorted(SERVERS))
    ap.add_argument("--postgresql", default=SERVERS["postgresql"])
    ap.add_argument("--mariadb", default=SERVERS["mariadb"])
    ap.add_argument("--containers", action="store_true", help="a container per engine instead of the servers")
    ap.add_argument("--json")
    ap.add_argument("--max-seconds", type=float, default=0.3)
    args = ap.parse_args()
    results = []
    for engine in args.engine or sorted(SERVERS, reverse=True):
        results.append(measure(engine, args.runs, args.containers, getattr(args, engine)))
    print(f"{'engine':<11} {'source':<58} {'open s':>7} {'first s':>8} {'fresh median':>13} {'p95':>7} "
          f"{'max':>7} {'drop median':>12} {'plain CREATE':>13}")
    slow = []
    for r in results:
        base = r.get("baseline_create_database", {}).get("median_s")
        print(f"{r['engine']:<11} {r['source'][:58]:<58} {r['server_open_s']:>7.3f} {r['first_s']:>8.3f} "
              f"{r['fresh']['median_s']:>13.3f} {r['fresh']['p95_s']:>7.3f} {r['fresh']['max_s']:>7.3f} "
              f"{r['drop']['median_s']:>12.3f} {'' if base is None else f'{base:.3f}':>13}")
        if r["fresh"]["median_s"] > args.max_seconds:
            slow.append(f"{r['engine']}: median {r['fresh']['median_s']:.3f} s > {args.max_seconds} s")
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": args.runs, "results": results}, indent=2))
    for line in slow:
        print(f"too slow: {line}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
