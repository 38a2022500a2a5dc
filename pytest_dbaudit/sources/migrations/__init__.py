"""Migration histories of every tool the repository uses, read statically into one model."""

from __future__ import annotations

from ..walk import Repository
from .model import Down, History, Migrations, Problem, Revision

__all__ = ["Down", "History", "Migrations", "Problem", "Revision", "migrations_of"]


def migrations_of(repo: Repository) -> Migrations:
    return repo.model("migrations", _build)  # type: ignore[return-value]


def _build(repo: Repository) -> Migrations:
    from . import alembic, django, js, liquibase, rails, sqlfiles

    out = Migrations()
    for reader in (alembic.read, django.read, sqlfiles.read, liquibase.read, rails.read, js.read):
        out.histories.extend(reader(repo))
    for h in out.histories:
        for rid in h.cycles():
            r = h.by_id()[rid]
            h.problems.append(Problem(r.file, f"revision {rid} is part of a cycle in the history", r.line))
        ids = h.by_id()
        for r in h.revisions:
            for p in r.parents:
                if p not in ids:
                    h.problems.append(Problem(r.file, f"revision {r.id} names a parent {p} that does not exist",
                                              r.line))
    return out
