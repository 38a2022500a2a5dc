"""Time the SQL rules (pytest_dbaudit.sqlrules) against squawk and sqlfluff on generated migrations.

    python benchmarks/sql_rules.py                      # 150 files, 5 runs each (sqlfluff: 1)
    python benchmarks/sql_rules.py --files 300 --runs 7 --json sql_rules.json --check

Writes a deterministic set of PostgreSQL migration files (a realistic mix: initial schemas,
added columns, indexes, foreign keys, backfills, PL/pgSQL functions and triggers, views, enum
changes, renames and drops, a few Alembic-style transactional files and two with a syntax
error) into a temp dir, removed at the end, then times:

* dbaudit in-process: ``lint()`` on every file in an interpreter that has already imported it
  (how the pytest plugin runs it);
* dbaudit lint-sql: the ``dbaudit lint-sql`` command over the folder (start-up and imports included,
  bytecode cached), the same footing as the two command-line tools, in the interpreter ``--python``
  names; ``python -c pass`` is timed too, since the interpreter's own start-up is part of that number;
* squawk: one ``squawk --reporter json`` process over all the files;
* sqlfluff: one ``sqlfluff lint --dialect postgres`` process over the folder (slow: one run).

Targets: dbaudit at most 3x squawk's wall time, and at least 10x faster than sqlfluff.
``--check`` exits 1 when a target is missed; a missing tool is reported and skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TABLES = ["users", "accounts", "orders", "order_lines", "invoices", "payments", "products", "inventory", "shipments",
          "addresses", "sessions", "audit_events", "webhooks", "coupons", "subscriptions", "plans", "tickets",
          "comments", "attachments", "notifications"]
TYPES = ["text", "bigint", "integer", "boolean", "timestamptz", "timestamp", "numeric(12, 2)", "jsonb", "uuid",
         "varchar(255)", "date", "smallint", "text[]", "json"]
DEFAULTS = ["now()", "0", "false", "''", "'{}'::jsonb", "gen_random_uuid()", "current_date", "1 + 1", "random()"]


def _col(rng: random.Random, i: int) -> str:
    typ = rng.choice(TYPES)
    extra = rng.choice(["", "", " NOT NULL", f" DEFAULT {rng.choice(DEFAULTS)}"]) if typ != "text[]" else ""
    return f"col_{i}_{rng.randint(1, 999)} {typ}{extra}"


def _create_table(rng: random.Random, name: str) -> list[str]:
    cols = ",\n    ".join(_col(rng, i) for i in range(rng.randint(3, 12)))
    ref = rng.choice(TABLES)
    stmts = [f"CREATE TABLE IF NOT EXISTS {name} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
             f"    {ref}_id bigint REFERENCES {ref} (id),\n    {cols},\n"
             f"    created_at timestamptz NOT NULL DEFAULT now()\n);"]
    stmts.append(f"CREATE INDEX IF NOT EXISTS {name}_{ref}_id_idx ON {name} ({ref}_id);")
    stmts.append(f"COMMENT ON TABLE {name} IS 'Created by migration for {name}; owned by the platform team.';")
    return stmts


def _function(rng: random.Random, table: str) -> list[str]:
    return [f"""CREATE OR REPLACE FUNCTION {table}_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();  -- keep; clients sort on it
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO audit_events (table_name, row_id, body) VALUES ('{table}', NEW.id, to_jsonb(NEW));
    END IF;
    RETURN NEW;
END;
$$;""", f"DROP TRIGGER IF EXISTS {table}_touch ON {table};",
            f"CREATE TRIGGER {table}_touch BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_touch();"]


def _change(rng: random.Random, n: int) -> list[str]:
    t = rng.choice(TABLES)
    c = f"field_{n}"
    kind = rng.randrange(14)
    if kind == 0:
        return [f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS {c} {rng.choice(TYPES)};"]
    if kind == 1:
        return [f"ALTER TABLE {t} ADD COLUMN {c} {rng.choice(['text', 'bigint', 'timestamptz'])} "
                f"DEFAULT {rng.choice(DEFAULTS)};"]
    if kind == 2:
        return [f"CREATE INDEX{rng.choice(['', ' CONCURRENTLY'])} IF NOT EXISTS {t}_{c}_idx ON {t} "
                f"({rng.choice(['created_at', 'status', 'account_id, created_at'])});"]
    if kind == 3:
        ref = rng.choice(TABLES)
        return [f"ALTER TABLE {t} ADD CONSTRAINT {t}_{ref}_fk FOREIGN KEY ({ref}_id) REFERENCES {ref} (id) NOT VALID;",
                f"ALTER TABLE {t} VALIDATE CONSTRAINT {t}_{ref}_fk;"]
    if kind == 4:
        return [f"ALTER TABLE {t} ADD CONSTRAINT {t}_{c}_check CHECK (amount >= 0){rng.choice(['', ' NOT VALID'])};"]
    if kind == 5:
        return [f"UPDATE {t} SET {c} = lower(email) WHERE id BETWEEN {n * 1000} AND {n * 1000 + 999} "
                f"AND {c} IS NULL;"]
    if kind == 6:
        return _function(rng, t)
    if kind == 7:
        return [f"CREATE OR REPLACE VIEW {t}_recent AS\n    SELECT t.id, t.created_at, a.name\n    FROM {t} t\n"
                f"    JOIN accounts a ON a.id = t.account_id\n    WHERE t.created_at > now() - interval '30 days';"]
    if kind == 8:
        where = rng.choice(["", " AFTER 'new'"])
        return [f"ALTER TYPE {t}_status ADD VALUE IF NOT EXISTS 'state_{n}'{where};"]
    if kind == 9:
        return [f"ALTER TABLE {t} RENAME COLUMN old_{c} TO {c};"]
    if kind == 10:
        return [f"ALTER TABLE {t} DROP COLUMN IF EXISTS legacy_{c};"]
    if kind == 11:
        return [f"ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;"]
    if kind == 12:
        return [f"ALTER TABLE {t} ALTER COLUMN {c} TYPE {rng.choice(['text', 'bigint', 'numeric(14, 2)'])};"]
    return [f"INSERT INTO plans (code, name, price) VALUES ('p{n}', 'Plan {n}', {n}.99) ON CONFLICT (code) DO NOTHING;"]


def generate(folder: Path, count: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    files = []
    for i in range(count):
        header = [f"-- migration {i:04d}: generated for the benchmark", "SET lock_timeout = '2s';"] \
            if rng.random() < 0.6 else [f"-- migration {i:04d}"]
        if i % 25 == 0:  # an initial schema or a big feature: many tables at once
            body = [f"CREATE TYPE {t}_status AS ENUM ('new', 'active', 'closed');" for t in rng.sample(TABLES, 4)]
            for t in rng.sample(TABLES, rng.randint(6, 12)):
                body += _create_table(rng, f"{t}_{i}")
        else:
            body = [s for n in range(rng.randint(1, 12)) for s in _change(rng, i * 100 + n)]
        if rng.random() < 0.3:  # Alembic offline SQL wraps each revision in a transaction
            body = ["BEGIN;"] + body + [f"UPDATE alembic_version SET version_num='{i:012x}';", "COMMIT;"]
        if i in (count // 3, 2 * count // 3):
            body.insert(len(body) // 2, "ALTER TABLE orders ADD COLUMN;")  # a syntax error mid-file
        path = folder / f"V{i:04d}__migration.sql"
        path.write_text("\n".join(header + body) + "\n", encoding="utf-8")
        files.append(path)
    return files


def _timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _tool(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=150)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter for the process variants (default: this one); use a clean virtualenv's, "
                         "since .pth files in a shared site-packages run at every start-up")
    ap.add_argument("--skip-sqlfluff", action="store_true", help="leave out the (slow) sqlfluff run")
    args = ap.parse_args(argv)

    from pytest_dbaudit.sqlrules import lint

    tmp = Path(tempfile.mkdtemp(prefix="dbaudit-sqlbench-"))
    try:
        files = generate(tmp, args.files)
        texts = [(str(p), p.read_text(encoding="utf-8")) for p in files]
        statements = sum(t.count(";") for _, t in texts)
        results: dict[str, list[float]] = {}

        counts = {}

        def ours():
            counts["violations"] = sum(len(lint(t, path=p).violations) for p, t in texts)

        ours()  # warm the rule registry and the volatility lists once, as the plugin would
        results["dbaudit (in-process)"] = _timed(ours, args.runs)
        # the command line, as a pre-commit hook runs it; warm once so its bytecode is cached, as it would be
        cli = [args.python, "-m", "pytest_dbaudit.cli", "lint-sql", "--format", "json", str(tmp)]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run(cli, capture_output=True, env=env, check=False)
        results["dbaudit lint-sql"] = _timed(lambda: subprocess.run(cli, capture_output=True, env=env, check=False),
                                             args.runs)
        # what any Python tool pays before doing anything, for reading the line above
        results["python -c pass"] = _timed(lambda: subprocess.run([args.python, "-c", "pass"], env=env, check=True),
                                           args.runs)

        squawk = _tool("squawk")
        if squawk:
            cmd = [squawk, "--reporter", "json", *map(str, files)]
            results["squawk"] = _timed(lambda: subprocess.run(cmd, capture_output=True, check=False), args.runs)
        else:
            print("squawk not found (pip install squawk-cli); skipped")
        sqlfluff = None if args.skip_sqlfluff else _tool("sqlfluff")
        if sqlfluff:
            cmd = [sqlfluff, "lint", "--dialect", "postgres", "--nofail", "--disable-progress-bar", str(tmp)]
            results["sqlfluff"] = _timed(lambda: subprocess.run(cmd, capture_output=True, check=False), 1)
        else:
            print("sqlfluff not found (pip install 'pytest-dbaudit[sql]'); skipped")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"{len(files)} files, {statements} statements, {counts['violations']} dbaudit violations")
    print(f"{'tool':<22} {'runs':>4} {'median s':>9} {'min s':>8} {'files/s':>9}")
    for name, times in results.items():
        med = statistics.median(times)
        print(f"{name:<22} {len(times):>4} {med:>9.3f} {min(times):>8.3f} {len(files) / med:>9.0f}")

    verdicts = []
    best_ours = statistics.median(results["dbaudit lint-sql"])
    if "squawk" in results:
        ratio = best_ours / statistics.median(results["squawk"])
        verdicts.append((f"dbaudit lint-sql / squawk = {ratio:.2f} (target <= 3)", ratio <= 3))
        ratio_in = statistics.median(results["dbaudit (in-process)"]) / statistics.median(results["squawk"])
        verdicts.append((f"dbaudit in-process / squawk = {ratio_in:.2f} (target <= 3)", ratio_in <= 3))
    if "sqlfluff" in results:
        speedup = statistics.median(results["sqlfluff"]) / best_ours
        verdicts.append((f"sqlfluff / dbaudit lint-sql = {speedup:.1f}x (target >= 10)", speedup >= 10))
    for text, ok in verdicts:
        print(("ok    " if ok else "MISSED ") + text)
    if args.json:
        args.json.write_text(json.dumps({"files": len(files), "statements": statements, "seconds": results,
                                         "verdicts": {t: ok for t, ok in verdicts}}, indent=2))
    return 1 if args.check and not all(ok for _, ok in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
