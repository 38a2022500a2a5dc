"""Migrations & version-control checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ..outcomes import Finding, NotApplicable, Undecided, verdict
from ..redact import redact
from ..registry import check
from ..drills.alembic_env import alembic_configs, child_env, ini_problem, run_module
from ..sources.migrations import Down
from ..sources.stack import stack_of


@check("MG-01", "static")
def migration_tool(repo, ctx):
    stack = stack_of(repo)
    for kind, found in (("ORM", stack.orms), ("migration tool", stack.migration_tools), ("driver", stack.drivers)):
        for name, ev in found.items():
            ctx.note(f"{kind}: {name} ({', '.join(ev[:3])})")
    if stack.migration_tools:
        return []
    users = ", ".join(list(stack.orms) + list(stack.drivers) + list(stack.engines)) or "database files"
    extra = ""
    if stack.schema_autocreate:
        extra = f"; the schema is created by the application at {', '.join(stack.schema_autocreate[:3])}"
    return [Finding(
        f"the repository uses a database ({users}) but no migration tool was found{extra}",
        location=stack.schema_autocreate[0] if stack.schema_autocreate else "",
        observed="no migration tool", expected="Alembic, Django migrations, Prisma Migrate, Flyway, Liquibase, "
        "Rails, Knex, golang-migrate or versioned SQL files",
    )]


def _histories(repo, ctx):
    """Every migration history, each noted as evidence; unknown when there is none to judge."""
    from ..sources.migrations import migrations_of

    histories = migrations_of(repo).histories
    if not histories:
        raise Undecided("no migration history was found (Alembic, Django, Prisma, Flyway, Liquibase, golang-migrate, "
                        "Rails, Knex, Sequelize, TypeORM, dbmate, goose, numbered SQL files)")
    for h in histories:
        ctx.note(f"{h.label}: {len(h.revisions)} revision(s), head(s) {', '.join(r.id for r in h.heads()) or 'none'}")
    return histories


_MERGE_HINT = {"Alembic": "alembic merge heads", "Django": "manage.py makemigrations --merge"}


def _gaps(h) -> list[int]:
    """Missing numbers in a history numbered 1, 2, 3... (Flyway V1..Vn, golang-migrate, Django, numbered SQL)."""
    keys = sorted({r.order_key[0] for r in h.revisions if r.order_key and len(r.order_key) == 1
                   and isinstance(r.order_key[0], int)})
    if len(keys) < 3 or keys[-1] > 10_000 or len(keys) != len(h.revisions) - _dupes(h):
        return []  # timestamps, dotted versions or too few to call it a sequence
    return sorted(set(range(keys[0], keys[-1] + 1)) - set(keys))


def _out_of_order(h, added: dict[str, int] | None) -> list:
    """(revision, a revision committed earlier with a higher version) for versioned histories; files not
    committed yet count as the newest additions."""
    if added is None or not h.linear_by_design:
        return []
    latest = max(added.values(), default=0) + 1
    by_time = sorted(h.revisions, key=lambda r: (added.get(r.file, latest), r.order_key))
    out, highest, pending = [], None, []
    for i, r in enumerate(by_time):
        t = added.get(r.file, latest)
        if i and t != added.get(by_time[i - 1].file, latest):  # a new commit: the previous ones now count
            for q in pending:
                highest = q if highest is None or q.order_key > highest.order_key else highest
            pending = []
        if highest is not None and r.order_key < highest.order_key:
            out.append((r, highest))
        pending.append(r)
    return out


def _dupes(h) -> int:
    return len(h.revisions) - len({r.order_key for r in h.revisions})


@check("MG-02", "static")
def one_linear_history(repo, ctx):
    """One head per history, no duplicate versions or ids, no missing parents or cycles, no unreadable revision
    files, no gaps in numbered sequences."""
    from ..sources.migrations.gitorder import added_at

    findings = []
    histories = _histories(repo, ctx)
    linear = [h.root for h in histories if h.linear_by_design]
    added = added_at(repo.root, linear) if linear else None
    if linear and added is None:
        ctx.note("not a git checkout: the order in which revisions were added is not checked")
    for h in histories:
        for p in h.problems:
            findings.append(Finding(f"{h.tool}: {p.message}", location=p.location))
        heads = h.heads()
        if len(heads) > 1:
            hint = _MERGE_HINT.get(h.tool)
            findings.append(Finding(
                f"{h.label} has {len(heads)} heads: {', '.join(f'{r.id} ({r.file})' for r in heads)}",
                location=heads[0].location, observed=[r.id for r in heads], expected="one head",
                remediation=f"merge them ({hint}) or rebase one branch onto the other" if hint else None))
        late = _out_of_order(h, added)
        for r, before in late:
            findings.append(Finding(
                f"{h.label}: {r.id} was added after {before.id} but sorts before it: databases that already ran "
                f"{before.id} skip or refuse it", location=r.location, observed=f"{r.id} < {before.id}",
                expected="a version newer than every committed one"))
        missing = _gaps(h)
        if missing:
            findings.append(Finding(f"{h.label}: numbers missing from the sequence: "
                                    f"{', '.join(map(str, missing[:10]))}", location=h.root,
                                    observed=missing, expected="consecutive numbers", severity="Low"))
    return findings


_NO_WAY_BACK = {Down.MISSING, Down.EMPTY, Down.RAISES, Down.IRREVERSIBLE}


@check("MG-04", "static")
def downgrades_exist(repo, ctx):
    """Every revision of a tool that has down migrations can be undone: missing, empty, raising and
    irreversible downgrades are listed by file. Roots and merges whose upgrade is empty need none."""
    findings, judged, without = [], 0, []
    for h in _histories(repo, ctx):
        if not h.has_down_migrations:
            without.append(h)
            continue
        judged += 1
        for r in h.ordered() + [h.by_id()[c] for c in h.cycles()]:
            if r.down not in _NO_WAY_BACK:
                continue
            if r.up_empty and len(r.parents) != 1:
                continue  # an empty root or merge point: nothing to undo
            findings.append(Finding(f"{h.tool} revision {r.id}: {r.down_detail or r.down.value}", location=r.location,
                                    observed=r.down.value, expected="a downgrade that undoes the upgrade"))
    for h in without:
        ctx.note(f"{h.label}: the tool has no down migrations ({h.revisions[0].down_detail if h.revisions else ''}); "
                 "its way back is a roll-forward migration or a restore")
    if findings or judged:
        return findings
    raise Undecided("the migration tools in use have no down migrations (" + ", ".join(sorted({h.tool for h in without}))
                    + "): the way back is a roll-forward migration or a restore; attest the procedure")


@check("MG-07", "static")
def data_changes_separate(repo, ctx):
    """A revision that both changes the schema and inserts/updates/deletes data."""
    findings, judged = [], 0
    for h in _histories(repo, ctx):
        for r in h.revisions:
            if not (r.up_sql or r.operations):
                continue
            judged += 1
            if r.data_change and r.schema_change:
                findings.append(Finding(f"{h.tool} revision {r.id} changes data and schema together "
                                        f"({', '.join(dict.fromkeys(r.operations)) or 'SQL'})", location=r.location,
                                        observed="schema + data", expected="a schema migration and a separate "
                                        "data migration or batch job"))
    if findings or judged:
        return findings
    raise Undecided("no revision's operations or SQL could be read statically")


# Whether each tool runs a migration inside one transaction by default (on PostgreSQL), and the
# marker in a revision's file that turns that off. Prisma and golang-migrate send a file as one
# multi-statement query, which PostgreSQL runs as one implicit transaction.
_IN_TRANSACTION = {"Django": ("atomic = False",), "Flyway": (), "Prisma Migrate": (), "golang-migrate": (),
                   "Liquibase": ('runInTransaction="false"', "runInTransaction:false"),
                   "Rails": ("disable_ddl_transaction!",), "Knex": ("transaction: false",),
                   "TypeORM": ("transaction = false",), "dbmate": ("transaction:false",),
                   "goose": ("+goose NO TRANSACTION",)}
_IMPLICIT = {"Prisma Migrate", "golang-migrate"}
_DIALECTS = {"postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql", "mariadb": "mysql",
             "cockroachdb": "postgresql"}
# Column-type rules belong to the schema items (SD-06, SD-08), not to lock safety.
_TYPE_RULES = ("ban-char-field", "prefer-text-field", "prefer-timestamptz", "prefer-bigint-over-int",
               "prefer-bigint-over-smallint", "prefer-identity", "adding-json-column")


def _driver_dialect(name: str) -> str | None:
    n = name.lower()
    if any(k in n for k in ("psycopg", "asyncpg", "pg8000", "postgres", "pgx", "pgjdbc", "npgsql")) or n in ("pg", "pq"):
        return "postgresql"
    if "mysql" in n or "maria" in n:
        return "mysql"
    return None


def _target(repo, h) -> tuple[str | None, tuple[int, int] | None]:
    """The SQL dialect and the oldest declared server version the history runs on."""
    from ..eol import series_of
    from ..sources.inventory import inventory_of
    from ..sources.stack import stack_of

    dialect = _DIALECTS.get(h.dialect.lower()) if h.dialect else None
    if dialect is None:
        stack = stack_of(repo)
        found = {_DIALECTS[s.engine] for s in inventory_of(repo).stores if s.engine in _DIALECTS}
        found = found or {_DIALECTS[e.lower()] for e in stack.engines if e.lower() in _DIALECTS}
        found = found or {d for d in map(_driver_dialect, stack.drivers) if d}
        dialect = found.pop() if len(found) == 1 else None
    versions = [series_of(s.engine, s.version) for s in inventory_of(repo).stores
                if s.version and _DIALECTS.get(s.engine) == dialect]
    versions = [v for v in versions if v]
    return dialect, min(versions) if versions else None


def _alembic_sql(repo, h, dialect: str, audit) -> tuple[dict[str, str], dict[str, str], str | None]:
    """Each revision's offline SQL: (sql by revision, errors by revision, a load error)."""
    from ..sources.migrations.alembic_offline import render

    ini_rel, _, section = h.config.partition("[")
    section = section.rstrip("]") or "alembic"
    if not ini_rel.endswith(".ini"):
        return {}, {}, f"{h.config}: offline rendering needs an alembic.ini"
    settings = audit.cfg.alembic
    ini, url = repo.path(ini_rel), f"{dialect}://"
    result = render(ini, section, url, [(r.id, r.parents[0] if r.parents else None) for r in h.ordered()],
                    child_env(ini, url, settings), timeout=float(settings.get("timeout_s", 300)))
    return result.get("sql", {}), result.get("errors", {}), result.get("load_error")


@check("MG-06", "static")
def zero_downtime_sql(repo, ctx):
    """Every revision's SQL through the zero-downtime rules (docs/sql-rules.md): raw SQL files as written,
    Alembic revisions rendered offline one at a time, each judged for the declared server version."""
    from ..sqlrules import lint

    from ..sqlrules import rules

    switched_off = tuple(x.strip() for x in str(ctx.threshold("disabled_rules")).split(",") if x.strip())
    unknown = sorted(set(switched_off) - {r.id for d in ("postgresql", "mysql") for r in rules(d)})
    if unknown:
        raise Undecided(f"thresholds.MG-06.disabled_rules names rules that do not exist: {', '.join(unknown)} "
                        "(see docs/sql-rules.md)")
    if switched_off:
        ctx.note(f"rules switched off by the audit config: {', '.join(switched_off)}")
    disabled = _TYPE_RULES + switched_off
    style = _style_rules(ctx)
    findings, undecided, judged = [], [], 0
    for h in _histories(repo, ctx):
        dialect, version = _target(repo, h)
        if dialect is None:
            undecided.append(f"{h.label}: the database engine is not declared, so the SQL dialect is unknown")
            continue
        ctx.note(f"{h.label}: {dialect} rules" + (f" for server {version[0]}.{version[1]}" if version else ""))
        rendered, errors, load_error = ({}, {}, None)
        if h.tool == "Alembic":
            rendered, errors, load_error = _alembic_sql(repo, h, dialect, ctx.audit)
            if load_error:
                errors = {r.id: load_error for r in h.revisions}
        markers = _IN_TRANSACTION.get(h.tool, ())
        for r in h.ordered():
            sql = rendered.get(r.id) if h.tool == "Alembic" else r.up_sql
            if r.id in errors:
                # Not rendered (env.py or a sibling file broke): the literal SQL read from the file is still
                # judged; the op.* calls are not.
                undecided.append(f"{h.tool} revision {r.id}: offline SQL could not be rendered ({errors[r.id]})"
                                 + ("; its literal op.execute() SQL was checked" if r.up_sql else ""))
                sql = r.up_sql
            if not sql or not sql.strip():
                continue
            text = repo.text(r.file) or ""
            in_tx = h.tool in _IN_TRANSACTION and not any(m in text for m in markers)
            if h.tool == "Flyway" and "CONCURRENTLY" in sql.upper():
                in_tx = False  # Flyway runs migrations with CONCURRENTLY outside a transaction on PostgreSQL
            path = r.file if h.tool != "Alembic" else ""
            try:
                report = lint(sql, dialect=dialect, server_version=version, path=path, disable=disabled,
                              assume_in_transaction=in_tx and h.tool not in _IMPLICIT,
                              implicit_transaction=h.tool in _IMPLICIT)
            except Exception as exc:  # noqa: BLE001 - one revision the linter chokes on must not hide the others
                undecided.append(f"{h.tool} revision {r.id}: the SQL rules failed on it ({type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0][:200] if str(exc) else ''})")
                continue
            judged += 1
            for v in report.violations:
                f = v.to_finding()
                if h.tool == "Alembic":  # lines of the rendered SQL mean nothing in the .py file
                    f.message = f"revision {r.id}: {f.message}"
                    f.location = r.location
                findings.append(f)
            for e in report.errors:
                ctx.note(f"{r.location}: not checked ({e.kind} at line {e.line}): {e.message}")
            if style is not None:
                findings += _style_findings(sql, dialect, style, r, h.tool == "Alembic", ctx)
    return verdict(findings, undecided, judged, "no revision has SQL that can be read statically", ctx,
                   unknown_prefix="", note_prefix="not checked: ")


def _style_rules(ctx) -> list[str] | None:
    """The SQLFluff rules the audit config asks for (None: off). SQLFluff is optional: without it the item
    says so instead of silently skipping what was asked for."""
    wanted = [x.strip() for x in str(ctx.threshold("sqlfluff_rules")).split(",") if x.strip()]
    if not wanted:
        return None
    try:
        import sqlfluff  # noqa: F401
    except ImportError:
        raise Undecided("thresholds.MG-06.sqlfluff_rules asks for SQLFluff style rules, but SQLFluff is not "
                        "installed (pip install 'pytest-dbaudit[sql]')") from None
    ctx.note(f"SQLFluff style rules: {', '.join(wanted)}")
    return [] if wanted == ["all"] else wanted


def _style_findings(sql: str, dialect: str, rules: list[str], r, rendered: bool, ctx) -> list[Finding]:
    """SQLFluff's verdicts on one revision's SQL, as Low findings (style, not lock safety)."""
    import sqlfluff

    try:
        hits = sqlfluff.lint(sql, dialect="postgres" if dialect == "postgresql" else "mysql", rules=rules or None)
    except Exception as exc:  # noqa: BLE001 - SQLFluff's own errors are its verdict to report, not ours to raise
        ctx.note(f"{r.location}: SQLFluff could not lint it: {str(exc).splitlines()[0][:200]}")
        return []
    out = []
    for hit in hits:
        where = r.location if rendered else f"{r.file}:{hit.get('start_line_no', 1)}"
        prefix = f"revision {r.id}: " if rendered else ""
        out.append(Finding(f"{prefix}sqlfluff {hit['code']}: {hit['description']}", location=where,
                           severity="Low"))
    return out


_CREATES = ("create_table", "CreateModel", "createTable", "create_join_table")


def _creates_tables(r) -> bool:
    if any(op in _CREATES for op in r.operations):
        return True
    return bool(r.up_sql) and "create table" in " ".join(r.up_sql.lower().split())


@check("MG-10", "static")
def baseline(repo, ctx):
    """The first revision of each history creates tables (a history that starts by altering them needs a
    database built by hand); a history longer than ``max_revisions`` should be squashed into a new baseline."""
    limit = int(ctx.threshold("max_revisions"))
    findings, judged = [], 0
    for h in _histories(repo, ctx):
        roots = [r for r in h.ordered() if not r.parents]
        readable = [r for r in roots if r.operations or r.up_sql]
        judged += bool(readable)
        for r in readable:
            if r.schema_change and not _creates_tables(r):
                findings.append(Finding(f"{h.tool} revision {r.id} starts the history by changing tables it does not "
                                        "create: an empty database cannot be built from the migrations",
                                        location=r.location, observed=", ".join(r.operations) or "ALTER",
                                        expected="a baseline revision that creates the schema"))
            elif _creates_tables(r):
                ctx.note(f"{h.label}: baseline {r.id} ({r.file}) creates tables")
        if len(h.revisions) > limit:
            findings.append(Finding(f"{h.label}: {len(h.revisions)} revisions; squash them into a new baseline",
                                    location=h.root, observed=len(h.revisions), expected=f"<= {limit}",
                                    severity="Low"))
    if findings or judged:
        return findings
    raise Undecided("the first revision's operations or SQL could not be read statically")


@check("MG-04", "drill")
def alembic_round_trip(drill, ctx):
    """The round trip on throwaway databases, revision by revision, for every history that has a way back:
    Alembic (upgrade to head one revision at a time, downgrade one at a time to base, upgrade again) and
    golang-migrate / Flyway-with-undo SQL files (up, down, compare the schema, up again, per revision).
    ``drills.seed_rows`` seeds every table before each upgrade and marks failures that only rows cause."""
    from ..drills import sql_drill
    from ..drills.progress import Progress, terminal_writer
    from ..sources.migrations import migrations_of

    configs = alembic_configs(drill.repo)
    histories, notes = sql_drill.drillable(migrations_of(drill.repo).histories)
    for note in notes:
        ctx.note(note)
    if not configs and not histories:
        raise NotApplicable("no Alembic configuration (alembic.ini) and no golang-migrate, Flyway, dbmate or goose "
                            "history with down/undo scripts in the repository; drills for other tools are not "
                            "available yet")
    options = drill.audit.cfg.drills
    seed_rows = options["seed_rows"]
    progress = Progress(f"{ctx.item.id} drill", options["progress_after_s"],
                        terminal_writer(drill.audit.pytest_config))
    if seed_rows:
        ctx.note(f"seeded mode: {seed_rows} row(s) in every table before each upgrade")
    findings = []
    settings = drill.audit.cfg.alembic
    for rel, ini in configs:
        problem = ini_problem(ini)
        if problem:
            findings.append(Finding(f"{rel}: {problem}", location=rel))
            continue
        db = drill.fresh_database()  # TargetUnavailable -> unknown, with the reason
        ctx.note(f"{rel}: throwaway database from {db.source}")
        progress.context = f" - {rel} on {drill.engine}"
        try:
            result = _run_child(ini, db.url, settings, {"seed_rows": seed_rows}, progress)
        finally:
            drill.release(db)
        for step in result.get("steps", []):
            ctx.note(f"{rel}: {step}")
        if result.get("seed"):
            ctx.note(f"{rel}: {result['seed']}")
        for f in result.get("failures", []):
            rev = f.get("revision")
            where = f.get("file") or rel
            try:
                where = str(Path(where).resolve().relative_to(drill.repo.root))
            except ValueError:
                pass
            what = f"{f['phase']} of revision {rev}" if rev not in (None, "heads", "base") else f"{f['phase']} ({rev or rel})"
            detail = f["error"] or "; ".join(f.get("diff", [])[:10])
            if f.get("seeded") and f.get("error") and f["phase"] in ("upgrade", "downgrade") \
                    and rev not in (None, "heads", "base"):
                # replay without rows, up to that step, on a new database: does the step pass there?
                replay_db = drill.fresh_database()
                try:
                    replay = _run_child(ini, replay_db.url, settings, {"stop_at": [f["phase"], rev]})
                finally:
                    drill.release(replay_db)
                if replay.get("stopped") and not replay.get("failures"):
                    detail = f"fails on a table with rows (passes on empty tables): {detail}"
            findings.append(Finding(f"{what} failed on {drill.engine}: {detail}", location=where,
                                    observed=f.get("diff") or None))
    findings.extend(sql_drill.round_trips(drill, ctx, histories, progress, options))
    return findings


def _run_child(ini: Path, url: str, settings: dict, extra: dict | None = None, progress=None) -> dict:
    """The Alembic runner in a child process; its progress lines are passed on while it runs."""
    import threading

    env = child_env(ini, url, settings)
    req = json.dumps({"ini": str(ini), "url": url, "progress": progress is not None, **(extra or {})})
    timeout = settings.get("timeout_s", 300)
    proc = subprocess.Popen([sys.executable, "-m", "pytest_dbaudit.drills.alembic_runner"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ini.parent, env=env)
    expired = threading.Event()

    def kill() -> None:
        expired.set()
        proc.kill()

    timer = threading.Timer(timeout, kill)
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)
    timer.start()
    reader.start()
    result, tail = None, []
    try:
        try:
            proc.stdin.write(req)
            proc.stdin.close()
        except OSError:  # the child died before reading its request: its stderr says why
            pass
        for line in proc.stdout:
            if line.startswith("@@PROGRESS@@"):
                if progress is not None:
                    step = json.loads(line[len("@@PROGRESS@@"):])
                    progress(step["n"], step["total"], step["revision"], step["kind"])
            elif line.startswith("@@DBAUDIT@@"):
                result = json.loads(line[len("@@DBAUDIT@@"):])
            elif line.strip():
                tail = (tail + [line])[-20:]
        proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        timer.cancel()
    reader.join(5)
    if expired.is_set():
        return {"failures": [{"phase": "drill", "revision": None, "error": f"timed out after {timeout} s"}]}
    if result is None:
        stderr = "".join(errors)
        tail_text = redact((stderr or "".join(tail)).strip()[-500:])
        return {"failures": [{"phase": "drill", "revision": None,
                              "error": f"the Alembic environment exited with code {proc.returncode}: {tail_text}"}]}
    return result


@check("MG-09", "static")
def models_match_migrations_statically(repo, ctx):
    """Prisma: the tables and columns schema.prisma declares against those its migrations build, replayed
    with PostgreSQL's parser (what `prisma migrate diff --exit-code` checks, without running Prisma).
    Django: the models' fields against the fields the app's migrations leave (what `makemigrations
    --check` compares, without running Django). Alembic histories are compared by the drill."""
    from ..sources.migrations.prisma_schema import declared_tables, migrated_tables, schema_files

    findings, undecided, judged = [], [], 0
    for h in _histories(repo, ctx):
        if h.tool == "Django":
            judged += _django_drift(repo, h, findings, undecided, ctx)
            continue
        if h.tool != "Prisma Migrate":
            continue
        if h.dialect and h.dialect != "postgresql":
            undecided.append(f"{h.label}: {h.dialect} migrations are not replayed statically")
            continue
        files = schema_files(repo, h.root)
        if not files:
            undecided.append(f"{h.label}: no schema.prisma beside the migrations")
            continue
        declared = declared_tables([repo.text(f) or "" for f in files])
        built, problems = migrated_tables([r.up_sql or "" for r in h.ordered()])
        built.pop("_prisma_migrations", None)
        if problems:
            undecided.append(f"{h.label}: migrations that do not parse: {'; '.join(problems[:3])}")
            continue
        judged += 1
        where = files[0]
        for table in sorted(set(declared) - set(built)):
            findings.append(Finding(f"model table {table} is in {where} but no migration creates it",
                                    location=where, expected="prisma migrate dev --create-only"))
        for table in sorted(set(built) - set(declared)):
            findings.append(Finding(f"table {table} is created by the migrations but no model maps to it",
                                    location=h.root, expected="a model, or a migration that drops it"))
        for table in sorted(set(declared) & set(built)):
            missing, extra = declared[table] - built[table], built[table] - declared[table]
            if missing or extra:
                findings.append(Finding(
                    f"{table}: " + "; ".join(filter(None, [
                        f"fields without a column: {', '.join(sorted(missing))}" if missing else "",
                        f"columns without a field: {', '.join(sorted(extra))}" if extra else ""])),
                    location=where, observed=sorted(built[table]), expected=sorted(declared[table])))
        if not findings:
            ctx.note(f"{h.label}: {len(declared)} model table(s) match the migrations ({', '.join(files)})")
    return verdict(findings, undecided, judged, "no Prisma or Django history: model drift is compared statically "
                   "for Prisma and Django, and by the drill for Alembic", unknown_prefix="")


def _django_drift(repo, h, findings: list, undecided: list, ctx) -> int:
    """One Django app: its models' fields against the state its migrations leave. Returns 1 if judged."""
    from ..sources.migrations.django_state import declared_models, migrated_models

    app = h.root.rsplit("/", 1)[0] if "/" in h.root else "."
    modules = [f for f in repo.files if f == f"{app}/models.py" or (f.startswith(f"{app}/models/") and
                                                                    f.endswith(".py"))]
    if not modules:
        undecided.append(f"{h.label}: no models module beside the migrations")
        return 0
    declared, unread = declared_models([repo.text(f) or "" for f in modules])
    for name in unread:
        ctx.note(f"{app}: model {name} not compared (a base class this reading cannot follow)")
    built = migrated_models(h)
    where = modules[0]
    for model in sorted(set(declared) - set(built)):
        findings.append(Finding(f"{app}: model {model} has no migration (makemigrations would create one)",
                                location=where, expected="manage.py makemigrations --check passes"))
    for model in sorted(set(built) - set(declared) - {u.lower() for u in unread}):
        findings.append(Finding(f"{app}: the migrations create {model}, which no model declares any more",
                                location=h.root, expected="a DeleteModel migration"))
    for model in sorted(set(declared) & set(built)):
        missing, extra = declared[model] - built[model], built[model] - declared[model]
        if missing or extra:
            findings.append(Finding(f"{app}.{model}: " + "; ".join(filter(None, [
                f"fields without a migration: {', '.join(sorted(missing))}" if missing else "",
                f"migrated fields no longer declared: {', '.join(sorted(extra))}" if extra else ""])),
                location=where, observed=sorted(built[model]), expected=sorted(declared[model])))
    if declared and not findings:
        ctx.note(f"{app}: {len(declared)} model(s) match the migrations")
    return 1


@check("MG-09", "drill")
def models_match_migrations(drill, ctx):
    """Alembic: after upgrading a throwaway database to the heads, autogenerate finds nothing to add
    (the models env.py declares and the migrations agree). The would-be migration is never written."""
    from ..drills.alembic_drift import MARKER

    configs = alembic_configs(drill.repo)
    if not configs:
        raise NotApplicable("no Alembic configuration (alembic.ini): model drift is compared for Alembic histories")
    findings, undecided = [], []
    settings = drill.audit.cfg.alembic
    for rel, ini in configs:
        problem = ini_problem(ini)
        if problem:
            undecided.append(f"{rel}: {problem}")
            continue
        db = drill.fresh_database()
        try:
            result = run_module("pytest_dbaudit.drills.alembic_drift", MARKER, {"ini": str(ini), "url": db.url}, ini,
                            db.url, settings)
        finally:
            drill.release(db)
        if result.get("error"):
            undecided.append(f"{rel}: {redact(result['error'])}")
        elif not result.get("metadata", True):
            undecided.append(f"{rel}: env.py sets no target_metadata, so there are no models to compare")
        elif result.get("diffs"):
            findings.append(Finding(f"the models and the migrations differ on {drill.engine}: "
                                    + "; ".join(result["diffs"][:15]), location=rel, observed=result["diffs"],
                                    expected="autogenerate finds nothing (alembic check)"))
        else:
            ctx.note(f"{rel}: the models match the schema the migrations build on {drill.engine} ({db.source})")
    return verdict(findings, undecided, len(configs), "", unknown_prefix="")
