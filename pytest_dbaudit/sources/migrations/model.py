"""One model of every migration history in the repository, whatever tool wrote it.

A ``History`` is one tool's tree of revisions (an Alembic script location, a Django app, a Prisma
``migrations`` folder, a Flyway location...). Each ``Revision`` knows its parents, its file, whether
it can be undone and how (``Down``), and the SQL or operations it runs when they can be read
statically. A file that cannot be read as a migration is a ``Problem`` naming it, never a crash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum


class Down(str, Enum):
    """How a revision is undone."""

    OK = "ok"  # a downgrade that does something (or an automatically reversible change)
    MISSING = "missing"  # no downgrade at all
    EMPTY = "empty"  # a downgrade that does nothing (pass, empty body, empty file)
    RAISES = "raises"  # a downgrade that raises (NotImplementedError...)
    IRREVERSIBLE = "irreversible"  # declared irreversible (IrreversibleMigration, RunPython without reverse)
    NOT_SUPPORTED = "not-supported"  # the tool has no down migrations (Prisma Migrate, Flyway without undo)


@dataclass
class Revision:
    id: str  # the tool's identifier: Alembic revision, "app.0002_name", Flyway version, file stem
    parents: tuple[str, ...]
    file: str  # repository-relative path
    line: int = 1
    name: str = ""
    down: Down = Down.MISSING
    down_detail: str = ""  # why: "downgrade() is only pass", "RunPython without reverse_code"
    up_empty: bool = False  # the upgrade does nothing (merge points, placeholders)
    up_sql: str | None = None  # SQL of the upgrade when it is plain SQL (files, literal execute() calls)
    down_sql: str | None = None
    down_file: str = ""  # a separate down/undo file
    operations: list[str] = field(default_factory=list)  # op names: create_table, RunPython, execute...
    data_change: bool = False  # inserts/updates/deletes data
    schema_change: bool = False  # creates/alters/drops schema objects
    order_key: tuple = ()  # how the tool orders it (version tuple, timestamp), for naming checks
    # Django: the model-state changes of its operations, e.g. ("AddField", "order", "note"), replayed by
    # django_state to compare the models with the migrations
    model_changes: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Problem:
    file: str
    message: str
    line: int = 0

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class History:
    tool: str  # "Alembic", "Django", "Prisma Migrate", "Flyway", "Liquibase", "golang-migrate", "Rails", ...
    root: str  # the folder holding the revisions
    config: str = ""  # where the tool is configured (alembic.ini[section], prisma.config.ts...), if anywhere
    revisions: list[Revision] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    linear_by_design: bool = False  # ordered by name/version, no explicit parents (Flyway, Rails, Prisma...)
    has_down_migrations: bool = True  # False: the tool does not do down migrations (Prisma, Flyway w/o undo)
    dialect: str = ""  # "postgresql", "mysql"... when the tool says (Prisma's lock file, Liquibase dbms)

    @property
    def label(self) -> str:
        return f"{self.tool} {self.config or self.root}"

    def by_id(self) -> dict[str, Revision]:
        return {r.id: r for r in self.revisions}

    def heads(self) -> list[Revision]:
        children = {p for r in self.revisions for p in r.parents}
        return [r for r in self.revisions if r.id not in children]

    def roots(self) -> list[Revision]:
        return [r for r in self.revisions if not r.parents]

    def ordered(self) -> list[Revision]:
        """Parents before children (Kahn's algorithm; ties broken by file order). A cycle leaves its
        members out; ``cycles()`` names them."""
        ids = self.by_id()
        pending = {r.id: sum(1 for p in r.parents if p in ids) for r in self.revisions}
        children: dict[str, list[str]] = {}
        for r in self.revisions:
            for p in r.parents:
                children.setdefault(p, []).append(r.id)
        ready = [r.id for r in self.revisions if pending[r.id] == 0]
        out = []
        while ready:
            rid = ready.pop(0)
            out.append(ids[rid])
            for c in children.get(rid, []):
                pending[c] -= 1
                if pending[c] == 0:
                    ready.append(c)
        return out

    def cycles(self) -> list[str]:
        placed = {r.id for r in self.ordered()}
        return [r.id for r in self.revisions if r.id not in placed]


@dataclass
class Migrations:
    histories: list[History] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"histories": [
            {"tool": h.tool, "root": h.root, "config": h.config, "revisions": len(h.revisions),
             "heads": [r.id for r in h.heads()], "problems": [str(p) for p in h.problems]}
            for h in self.histories]}


_DATA_SQL = ("insert ", "update ", "delete ", "merge ", "copy ")
_SCHEMA_SQL = ("create ", "alter ", "drop ", "rename ", "comment on")


def sql_kind(sql: str) -> tuple[bool, bool]:
    """(data change, schema change) of a SQL text, by its statements' leading keywords (a coarse split for
    the history checks; the SQL rules parse statements properly)."""
    data = schema = False
    sql = re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S)
    for stmt in sql.split(";"):
        head = " ".join(stmt.split()).lower()[:12]
        data = data or head.startswith(_DATA_SQL)
        schema = schema or head.startswith(_SCHEMA_SQL)
    return data, schema


def chain(revisions: list[Revision]) -> list[Revision]:
    """Tools that order by name or version: each revision's parent is the one before it."""
    previous: str | None = None
    for r in revisions:
        r.parents = (previous,) if previous else ()
        previous = r.id
    return revisions


def duplicates(history: History, key=lambda r: r.id, what: str = "revision id") -> None:
    """Two revisions with the same id (or version) are a problem naming both files."""
    seen: dict[object, Revision] = {}
    for r in history.revisions:
        k = key(r)
        if k in seen:
            history.problems.append(Problem(r.file, f"duplicate {what} {k} (also {seen[k].file})", r.line))
        else:
            seen[k] = r
