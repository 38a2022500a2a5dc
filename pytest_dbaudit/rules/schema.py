"""Schema & design: the checks of ``schema/checks.py`` wired to the static and live modes.

Live: each schema check is a probe over the reflected schema (a fixed number of catalog queries,
shared by every probe of the target). Static: the same check over every schema the repository
declares (Prisma, SQLAlchemy/SQLModel, Django, Rails schema.rb, TypeORM, DDL files). Drill: the
same check over the database each migration history builds on a throwaway database
(``schema/migrated.py``, built once per drill engine and shared).
"""

from __future__ import annotations

import re

from ..live.probe import probe
from ..outcomes import Finding, NotApplicable, Undecided, verdict
from ..registry import check
from ..schema.checks import CHECKS, SchemaCheck, checks_of
from ..schema.reflect import reflect

ALL = ("postgresql", "mysql", "sqlite")


def _live_probe(c: SchemaCheck):
    def run(db, p):
        schema = reflect(db)
        p.note(f"{len(schema.tables)} table(s) reflected")
        for problem in schema.problems:
            p.note(problem)
        return c.fn(schema, p.threshold)

    run.__qualname__ = f"schema_probe[{c.id}]"
    run.__doc__ = c.fix
    # select_all: on MySQL/MariaDB information_schema lists only tables the role has a privilege
    # on, so without SELECT on the schema a clean answer could mean "could not see".
    probe(c.item, c.id, c.title, engines=ALL, needs=("select_all",), thresholds=c.thresholds,
          anchors=c.anchors, fix=c.fix)(run)


for _c in CHECKS:
    _live_probe(_c)


def _static(repo, ctx):
    from ..schema.readers import schemas_of

    schemas = schemas_of(repo)
    if ctx.audit.cfg.schema["import_models"]:
        from ..schema.readers.sqlalchemy_import import import_models

        imported = ctx.audit.shared("imported-models", lambda: import_models(repo, ctx.audit.cfg))
        if imported is not None:  # replaces what reading the model code gave (sqlalchemy.read's sources)
            schemas = [s for s in schemas if not s.source.startswith(("sqlalchemy ", "sqlmodel "))] + [imported]
    if not schemas:
        raise Undecided("no schema source in the repository (Prisma schema, SQLAlchemy/SQLModel or Django models, "
                        "Rails db/schema.rb, TypeORM entities or CREATE TABLE files)")
    return _judge(schemas, [], ctx, "the schema sources declare no tables")


def _drill(drill, ctx):
    """The schema each migration history builds on a throwaway database of the drill engine."""
    from ..schema.migrated import migrated_schemas

    built = migrated_schemas(drill)
    for note in built.notes:
        ctx.note(note)
    if not built.schemas and not built.problems:
        raise NotApplicable("no migration history to build a database from (Alembic, or SQL files: Prisma Migrate, "
                            "Flyway, golang-migrate, dbmate, goose)")
    return _judge(built.schemas, built.problems, ctx, "the migrations build no tables")


def _judge(schemas, undecided: list[str], ctx, nothing: str):
    findings: list[Finding] = []
    undecided = list(undecided)
    judged = 0
    for schema in schemas:
        ctx.note(f"{schema.source}: {len(schema.tables)} table(s)")
        for c in checks_of(ctx.item.id):
            found = c.fn(schema, lambda name, c=c: ctx.threshold(name, c.thresholds))
            for f in found:
                f.remediation = f.remediation or c.fix
                if schema.source not in f.location:
                    f.message = f"{f.message} [{schema.source}]"
            findings.extend(found)
        if schema.tables:
            judged += 1
        if not schema.complete:
            undecided.extend(f"{schema.source}: {p}" for p in schema.problems)
    return verdict(findings, undecided, judged, nothing, ctx, unknown_prefix="parts of the schema could not be read: ")


for _item in sorted({c.item for c in CHECKS} - {"SD-11"}):
    check(_item, "static")(_static)
    check(_item, "drill")(_drill)


_DOC = re.compile(r"(^|/)(\.tbls\.ya?ml|schemaspy[^/]*|dbdocs[^/]*|[^/]*\.dbml|"
                  r"[^/]*(erd|schema|data[-_]?model|database)[^/]*\.(md|rst|adoc|svg|png|puml|mmd|html))$", re.I)


def _documentation(repo) -> list[str]:
    return [f for f in repo.files if _DOC.search(f) and not f.endswith(("schema.rb", "schema.prisma"))]


@check("SD-11", "static")
def documented_static(repo, ctx):
    """Schema documentation in the repository (tbls, SchemaSpy, dbdocs/DBML, an ERD or a schema document);
    without it, comments on the declared tables."""
    docs = _documentation(repo)
    if docs:
        ctx.note(f"schema documentation: {', '.join(docs[:5])}")
        return []
    ctx.note("no schema document (tbls, SchemaSpy, DBML, ERD, schema.md) in the repository")
    return _static(repo, ctx)


@check("SD-12", "static")
def erd_static(repo, ctx):
    """An entity-relationship diagram generated from the schema: a tbls/SchemaSpy/dbdocs setup or an ERD file."""
    docs = [f for f in _documentation(repo) if re.search(r"erd|tbls|schemaspy|dbdocs|dbml|\.(svg|png|puml|mmd)$", f, re.I)]
    if docs:
        ctx.note(f"diagram sources: {', '.join(docs[:5])}")
        return []
    return [Finding("no entity-relationship diagram or generator (tbls, SchemaSpy, dbdocs, an ERD file) in the "
                    "repository", location="repo", expected="an ERD generated from the current schema")]
