"""A comparable description of a database schema, for before/after comparisons in drills."""

from __future__ import annotations

from typing import Any

IGNORED_TABLES = {"alembic_version"}


def fingerprint(engine: Any) -> dict[str, Any]:
    """Tables with columns (type, nullability, default), primary key, foreign keys, indexes, uniques."""
    import sqlalchemy as sa

    insp = sa.inspect(engine)
    out: dict[str, Any] = {}
    for table in sorted(insp.get_table_names()):
        if table in IGNORED_TABLES:
            continue
        cols = {
            c["name"]: {"type": str(c["type"]), "nullable": bool(c["nullable"]), "default": _norm(c.get("default"))}
            for c in insp.get_columns(table)
        }
        pk = insp.get_pk_constraint(table).get("constrained_columns") or []
        fks = sorted(
            f"({', '.join(fk['constrained_columns'])}) -> {fk['referred_table']} ({', '.join(fk['referred_columns'])})"
            for fk in insp.get_foreign_keys(table)
        )
        idx = sorted(f"{i['name']} ({', '.join(str(c) for c in i['column_names'])}){' unique' if i['unique'] else ''}"
                     for i in insp.get_indexes(table))
        uq = sorted(", ".join(u["column_names"]) for u in insp.get_unique_constraints(table))
        out[table] = {"columns": cols, "pk": pk, "fks": fks, "indexes": idx, "uniques": uq}
    return out


def _norm(default: Any) -> Any:
    return None if default is None else str(default)


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = []
    for t in sorted(set(before) - set(after)):
        lines.append(f"table {t} missing")
    for t in sorted(set(after) - set(before)):
        lines.append(f"table {t} left behind")
    for t in sorted(set(before) & set(after)):
        b, a = before[t], after[t]
        for c in sorted(set(b["columns"]) - set(a["columns"])):
            lines.append(f"column {t}.{c} missing")
        for c in sorted(set(a["columns"]) - set(b["columns"])):
            lines.append(f"column {t}.{c} left behind")
        for c in sorted(set(a["columns"]) & set(b["columns"])):
            if a["columns"][c] != b["columns"][c]:
                lines.append(f"column {t}.{c} changed: {b['columns'][c]} -> {a['columns'][c]}")
        if b["pk"] != a["pk"]:
            lines.append(f"primary key of {t} changed: ({', '.join(b['pk'])}) -> ({', '.join(a['pk'])})")
        for key, what in (("indexes", "index"), ("fks", "foreign key"), ("uniques", "unique constraint")):
            for entry in sorted(set(b[key]) - set(a[key])):
                lines.append(f"{what} {_on(key, entry)} on {t} missing")
            for entry in sorted(set(a[key]) - set(b[key])):
                lines.append(f"{what} {_on(key, entry)} on {t} left behind")
    return lines


def _on(key: str, entry: str) -> str:
    return f"({entry})" if key == "uniques" else entry
