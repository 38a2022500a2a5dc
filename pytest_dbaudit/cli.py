"""The ``dbaudit`` command: helpers around the pytest plugin (the audit itself is ``pytest --dbaudit``)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: dbaudit grants {postgres,mysql,mariadb} [--role NAME] [--database DB] [--matrix]\n"
              "       dbaudit lint-sql [--dialect D] [--server-version V] [--format json] PATHS...\n"
              "  grants    print the minimal grant script for a read-only monitoring role\n"
              "  lint-sql  lint SQL migration files with the zero-downtime rules (as MG-06 does)\n"
              "Run the audit itself with: pytest --dbaudit [--dbaudit-db URL ...]")
        return 0 if argv else 2
    if argv[0] == "grants":
        from .live.grants import main as grants

        return grants(argv[1:])
    if argv[0] == "lint-sql":
        from .sqlrules.cli import main as lint_sql

        return lint_sql(argv[1:])
    print(f"dbaudit: unknown command {argv[0]!r} (try: dbaudit grants postgres)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
