"""``dbaudit lint-sql``: the zero-downtime SQL rules on migration files, for pre-commit hooks and CI steps.

The same ``lint()`` that MG-06 runs inside ``pytest --dbaudit``, without the rest of the audit. Exit
status: 0 clean, 1 violations (or, with ``--strict``, files or statements that could not be checked),
2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .deferred import defer
from .engine import lint
from .model import ParseProblem, Report
from .workers import auto_workers, map_forked


def _args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="dbaudit lint-sql", description="Lint SQL migration files for statements "
                                 "that lock, rewrite or break a live database (rule reference: docs/sql-rules.md).")
    ap.add_argument("paths", nargs="+", type=Path, help="SQL files, or folders searched for *.sql")
    ap.add_argument("--dialect", default="postgresql", help="postgresql (default), mysql or mariadb")
    ap.add_argument("--server-version", metavar="MAJOR[.MINOR]",
                    help="oldest server the migrations run on (default: PostgreSQL 15, MySQL 8.0)")
    ap.add_argument("--in-transaction", action="store_true",
                    help="the migration tool runs each file in one transaction (Alembic, Django on PostgreSQL)")
    ap.add_argument("--enable", action="append", default=[], metavar="RULE", help="switch on an opt-in rule")
    ap.add_argument("--disable", action="append", default=[], metavar="RULE", help="switch a rule off")
    ap.add_argument("--format", choices=("text", "json"), default="text")
    ap.add_argument("--strict", action="store_true", help="also fail on files or statements that could not be parsed")
    ap.add_argument("--jobs", type=_count, default=0, metavar="N",
                    help="processes to lint in; 0 (default): one per available core, with at least 24 files each")
    return ap.parse_args(argv)


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 0")
    return int(text)


def _files(paths: list[Path]) -> list[Path]:
    """Files named, and *.sql (any case) below folders named; each once, in the order given."""
    out: dict[Path, Path] = {}  # resolved -> as the user spelled it
    for p in paths:
        found = sorted(f for f in p.rglob("*") if f.suffix.lower() == ".sql" and f.is_file()) if p.is_dir() else [p]
        for f in found:
            out.setdefault(f.resolve(), f)
    return list(out.values())


def _lint_one(path: Path, opts: dict) -> Report:
    try:
        text = path.read_text(encoding="utf-8-sig")  # an editor's byte-order mark is not SQL
    except (OSError, UnicodeDecodeError) as exc:
        problem = ParseProblem(0, f"{type(exc).__name__}: {exc}", kind="unreadable", path=str(path))
        return Report(str(path), opts["dialect"], (0, 0), errors=[problem])
    return lint(text, path=str(path), **opts)


def main(argv: list[str] | None = None) -> int:
    args = _args(list(sys.argv[1:] if argv is None else argv))
    version = None
    if args.server_version:
        try:
            version = tuple(int(x) for x in args.server_version.split(".")[:2])
        except ValueError:
            print(f"dbaudit lint-sql: --server-version {args.server_version!r} is not MAJOR[.MINOR]", file=sys.stderr)
            return 2
    opts = {"dialect": args.dialect, "server_version": version, "assume_in_transaction": args.in_transaction,
            "enable": tuple(args.enable), "disable": tuple(args.disable)}
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        print(f"dbaudit lint-sql: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    files = _files(args.paths)
    if not files:  # a mistyped path in CI must not pass as "nothing wrong"
        print(f"dbaudit lint-sql: no .sql files in {', '.join(map(str, args.paths))}", file=sys.stderr)
        return 2
    defer("pglast", "ast", "enums")  # the rules read libpg_query's JSON: pglast's node classes are never used
    try:
        lint("", **opts)  # an unknown dialect or rule id is a usage error, reported once
    except ValueError as exc:
        print(f"dbaudit lint-sql: {exc}", file=sys.stderr)
        return 2
    reports = map_forked(lambda f: _lint_one(f, opts), files, args.jobs or auto_workers(len(files)))

    violations = sum(len(r.violations) for r in reports)
    unchecked = sum(len(r.errors) for r in reports)
    if args.format == "json":
        # one write (json.dump to a text stream writes every token separately), on one line: with an
        # indent, json encodes in Python, which took longer than linting the files
        sys.stdout.write(json.dumps({"files": len(files), "violations": violations, "unchecked": unchecked,
                                     "reports": [r.to_dict() for r in reports]}) + "\n")
    else:
        for r in reports:
            for e in r.errors:
                where = f"{e.path or r.path}:{e.line}" if e.line else (e.path or r.path)
                print(f"{where}: not checked ({e.kind}): {e.message}")
            for v in r.violations:
                print(f"{v.location}: {v.rule} [{v.severity}] {v.message}")
        print(f"{len(files)} files: {violations} violations, {unchecked} not checked", file=sys.stderr)
    return 1 if violations or (args.strict and unchecked) else 0
