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

__all__ = ["repo_dialect", "schemas_of"]


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
    engine = repo_dialect(repo)
    for schema in out:
        if not schema.dialect and engine:  # models name no engine; the repository uses one
            schema.dialect = engine
    return out


def repo_dialect(repo: Repository) -> str:
    """The one relational engine the repository uses (drivers, images, URLs), or "" when none or several:
    models rarely name their engine, and some checks (naive timestamps, identifier length) depend on it."""
    from ...sources.stack import stack_of

    stack = stack_of(repo)
    found = {_ENGINES.get(e, e) for e in stack.engines} | {_DRIVERS[d] for d in stack.drivers if d in _DRIVERS}
    found &= _RELATIONAL  # every relational engine counts, so SQL Server beside psycopg2 is "several"
    return found.pop() if len(found) == 1 and found <= {"postgresql", "mysql", "sqlite"} else ""


_ENGINES = {"mariadb": "mysql", "cockroachdb": "postgresql"}
_RELATIONAL = {"postgresql", "mysql", "sqlite", "sqlserver", "oracle"}
# client drivers that name their engine (sqlite3 is left out: the standard library, often only in tests)
_DRIVERS = {"psycopg2": "postgresql", "psycopg": "postgresql", "asyncpg": "postgresql", "node-postgres": "postgresql",
            "pgx": "postgresql", "lib/pq": "postgresql", "pgjdbc": "postgresql",
            "PyMySQL": "mysql", "mysqlclient": "mysql", "aiomysql": "mysql", "mysql-connector": "mysql",
            "mysql2": "mysql", "mysqljs": "mysql", "go-sql-driver/mysql": "mysql", "MySQL Connector/J": "mysql"}
