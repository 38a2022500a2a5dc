"""Static schemas of the repository: one ``Schema`` per source, read without importing or running
the project's code.

Sources: Prisma schemas, SQLAlchemy/SQLModel models, Django models, Rails ``db/schema.rb``, TypeORM
entities and raw DDL (schema dumps and SQL migration folders). Each reader only opens candidate files
(by name, then a cheap text sniff), through ``Repository.text`` so every file is read once; the
result is built once per repository and shared (``Repository.model``). A file that cannot be read is
a problem on its Schema (``complete=False``), never an exception. See ``common`` for the spelling
conventions every reader follows.
"""

from __future__ import annotations

from ...sources.walk import Repository
from ..model import Schema

__all__ = ["schemas_of"]


def schemas_of(repo: Repository) -> list[Schema]:
    return repo.model("schemas", _build)  # type: ignore[return-value]


def _build(repo: Repository) -> list[Schema]:
    from . import ddl, django, prisma, rails, sqlalchemy, typeorm

    out: list[Schema] = []
    for reader in (prisma.read, sqlalchemy.read, django.read, rails.read, typeorm.read, ddl.read):
        try:
            out.extend(reader(repo))
        except RecursionError as exc:  # pathological nesting in some file: say so, keep the others
            out.append(Schema(f"{reader.__module__.rsplit('.', 1)[-1]} (not read)", complete=False,
                              problems=[f"reader stopped: {exc}"]))
    return out
