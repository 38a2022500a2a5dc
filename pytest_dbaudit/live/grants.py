"""The minimal grant script for a monitoring role, and which probe needs which grant.

``dbaudit grants postgres`` / ``dbaudit grants mysql`` (or ``python -m pytest_dbaudit.live.grants``)
prints SQL for an administrator to review and run; the tool never runs it. Everything comes from
the needs the probes declare, so the script and the privilege matrix cannot drift from the code.
"""

from __future__ import annotations

import argparse
import sys

from .preflight import MARIADB_GRANTS, MY_NEEDS, PG_NEEDS

# Grants that expose secrets or are host-level: printed commented out, with the reason.
_OPTIONAL = {"pg_authid": "exposes password verifiers: needed only by the offline weak-password check",
             "pg_stat_statements": "an extension, not a grant: install it once per database",
             "mysql_user": "exposes password hashes: needed only by the account checks"}


def _probes_by_need(flavors: tuple[str, ...]) -> dict[str, list[str]]:
    from ..registry import load_builtin_rules
    from .probe import all_probes

    load_builtin_rules()
    out: dict[str, list[str]] = {}
    for p in all_probes():
        if set(p.flavors) & set(flavors):
            for n in p.needs:
                out.setdefault(n, []).append(f"{p.item} {p.id}")
    return out


def script(engine: str, role: str = "dbaudit", database: str = "") -> str:
    if engine in ("postgres", "postgresql"):
        needs, flavors = PG_NEEDS, ("postgresql",)
        lines = ["-- pytest-dbaudit: a read-only monitoring role for PostgreSQL (review before running)",
                 f"CREATE ROLE {role} LOGIN PASSWORD '<choose one>' CONNECTION LIMIT 3;",
                 f"ALTER ROLE {role} SET default_transaction_read_only = on;",
                 f"GRANT CONNECT ON DATABASE {database or '<each audited database>'} TO {role};"]
    elif engine in ("mysql", "mariadb"):
        needs, flavors = dict(MY_NEEDS), (("mariadb",) if engine == "mariadb" else ("mysql",))
        if engine == "mariadb":
            needs.update({k: (needs[k][0], v) for k, v in MARIADB_GRANTS.items()})
        role_q = f"'{role}'@'%'"
        lines = [f"-- pytest-dbaudit: a read-only monitoring account for {engine} (review before running)",
                 f"CREATE USER {role_q} IDENTIFIED BY '<choose one>' WITH MAX_USER_CONNECTIONS 3;"]
        role = role_q
    else:
        raise SystemExit(f"dbaudit grants: unknown engine {engine!r} (postgres, mysql, mariadb)")
    used = _probes_by_need(flavors)
    for need, (what, grant) in needs.items():
        if need not in used:
            continue
        text = grant.format(role=role, database=database or "<database>")
        probes = used[need]
        lines.append("")
        lines.append(f"-- {need}: {what}; used by {len(probes)} probe(s): {', '.join(sorted(probes)[:6])}"
                     + (" ..." if len(probes) > 6 else ""))
        if need in _OPTIONAL:
            lines.append(f"-- optional ({_OPTIONAL[need]}):")
            lines.extend("-- " + part.strip() for part in text.split(";") if part.strip() and not part.strip().startswith("--"))
        else:
            lines.append(text)
    return "\n".join(lines) + "\n"


def matrix(engine: str) -> str:
    flavors = ("postgresql",) if engine.startswith("postgres") else ("mariadb", "mysql")
    from ..registry import load_builtin_rules
    from .probe import all_probes

    load_builtin_rules()
    rows = ["| item | probe | engines | needs |", "|---|---|---|---|"]
    for p in all_probes():
        if set(p.flavors) & set(flavors):
            rows.append(f"| {p.item} | {p.id} | {', '.join(p.flavors)} | {', '.join(p.needs) or '-'} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="dbaudit grants", description=__doc__.splitlines()[0])
    ap.add_argument("engine", choices=["postgres", "postgresql", "mysql", "mariadb"])
    ap.add_argument("--role", default="dbaudit", help="name of the monitoring role (default: dbaudit)")
    ap.add_argument("--database", default="", help="the audited database, for CONNECT / SELECT grants")
    ap.add_argument("--matrix", action="store_true", help="print which probe needs which grant instead")
    args = ap.parse_args(argv)
    sys.stdout.write(matrix(args.engine) if args.matrix else script(args.engine, args.role, args.database))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
