"""Migration tools whose revisions are SQL files: Prisma Migrate, Flyway, golang-migrate, dbmate, goose,
and plain numbered SQL files in a ``migrations`` folder."""

from __future__ import annotations

import re

from ..structured import ParseError, parsed
from ..walk import Repository
from .model import Down, History, Problem, Revision, chain, duplicates, sql_kind

_FLYWAY = re.compile(r"^(?P<kind>[VU])(?P<version>\d+(?:[._]\d+)*)__(?P<name>.+)\.sql$")
_FLYWAY_REPEATABLE = re.compile(r"^R__.+\.sql$")
_GOLANG = re.compile(r"^(?P<version>\d+)_(?P<name>.+)\.(?P<dir>up|down)\.sql$")
_PRISMA_DIR = re.compile(r"^\d{14}_\w+$")
_PLAIN = re.compile(r"^(?P<version>\d+)[-_](?P<name>.+?)\.sql$")
_DBMATE = re.compile(r"^--\s*migrate:(up|down)\b.*$", re.M)
_GOOSE = re.compile(r"^--\s*\+goose\s+(Up|Down)\b.*$", re.M)


def _folder(rel: str) -> str:
    return rel.rsplit("/", 1)[0] if "/" in rel else "."


def _blank(sql: str | None) -> bool:
    """No statement: only whitespace and comments."""
    if sql is None:
        return True
    body = re.sub(r"--[^\n]*|/\*.*?\*/", "", sql, flags=re.S)
    return not body.strip().strip(";").strip()


def read(repo: Repository) -> list[History]:
    claimed: set[str] = set()
    out = _prisma(repo, claimed) + _flyway(repo, claimed) + _golang(repo, claimed) + _plain(repo, claimed)
    for h in out:
        for r in h.revisions:
            if r.up_sql:
                r.data_change, r.schema_change = sql_kind(r.up_sql)
    return out


def _prisma(repo: Repository, claimed: set[str]) -> list[History]:
    roots: dict[str, History] = {}
    for rel in repo.files:
        parts = rel.split("/")
        if parts[-1] == "migration.sql" and len(parts) >= 3 and _PRISMA_DIR.match(parts[-2]):
            root = "/".join(parts[:-2])
            history = roots.setdefault(root, History("Prisma Migrate", root, linear_by_design=True,
                                                     has_down_migrations=False))
            text = repo.text(rel)
            if text is None:
                history.problems.append(Problem(rel, "could not be read"))
                continue
            down_rel = "/".join(parts[:-1]) + "/down.sql"
            r = Revision(parts[-2], (), rel, name=parts[-2][15:], up_sql=text, up_empty=_blank(text),
                         order_key=(int(parts[-2][:14]),), down=Down.NOT_SUPPORTED,
                         down_detail="Prisma Migrate has no down migrations")
            if down_rel in repo.files:  # generated with `prisma migrate diff` for manual rollbacks
                r.down, r.down_file, r.down_sql = Down.OK, down_rel, repo.text(down_rel)
            history.revisions.append(r)
            claimed.add(rel)
    for root, history in roots.items():
        lock = f"{root}/migration_lock.toml" if root else "migration_lock.toml"
        data = parsed(repo, lock, "toml") if lock in repo.files else None
        if isinstance(data, dict):
            history.dialect = str(data.get("provider", ""))
        elif isinstance(data, ParseError):
            history.problems.append(Problem(lock, str(data)))
        else:
            history.problems.append(Problem(root or ".", "no migration_lock.toml beside the migrations"))
        history.config = next((c for c in repo.files if c.rsplit("/", 1)[-1] in ("prisma.config.ts", "schema.prisma")
                               and root.rsplit("/", 1)[0] in c), "")
        history.revisions.sort(key=lambda r: r.id)
        chain(history.revisions)
        duplicates(history, key=lambda r: r.order_key, what="timestamp")
    return list(roots.values())


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.split(r"[._]", text))


def _flyway(repo: Repository, claimed: set[str]) -> list[History]:
    folders: dict[str, dict[str, list[tuple[str, re.Match]]]] = {}
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        m = _FLYWAY.match(name)
        if m:
            folders.setdefault(_folder(rel), {}).setdefault(m["kind"], []).append((rel, m))
        elif _FLYWAY_REPEATABLE.match(name):
            folders.setdefault(_folder(rel), {}).setdefault("R", []).append((rel, None))
    out = []
    for folder, kinds in folders.items():
        if "V" not in kinds:
            continue
        undo = {_version(m["version"]): rel for rel, m in kinds.get("U", [])}
        history = History("Flyway", folder, linear_by_design=True, has_down_migrations=bool(undo))
        for rel, m in kinds["V"]:
            text = repo.text(rel)
            claimed.add(rel)
            key = _version(m["version"])
            # The file stem is the id: versions can collide (reported below), file names cannot.
            r = Revision(rel.rsplit("/", 1)[-1][:-4], (), rel, name=m["name"], up_sql=text,
                         up_empty=_blank(text), order_key=key)
            if key in undo:
                r.down_file, r.down_sql = undo[key], repo.text(undo[key])
                r.down = Down.EMPTY if _blank(r.down_sql) else Down.OK
                r.down_detail = f"{undo[key]} is empty" if r.down is Down.EMPTY else ""
                claimed.add(undo[key])
            elif undo:
                r.down, r.down_detail = Down.MISSING, f"no U{m['version']}__*.sql undo script"
            else:
                r.down, r.down_detail = Down.NOT_SUPPORTED, "no undo scripts (Flyway undo is a paid feature)"
            history.revisions.append(r)
        history.revisions.sort(key=lambda r: r.order_key)
        chain(history.revisions)
        duplicates(history, key=lambda r: r.order_key, what="version")
        out.append(history)
    return out


def _golang(repo: Repository, claimed: set[str]) -> list[History]:
    folders: dict[str, dict[tuple[int, str], dict[str, str]]] = {}
    for rel in repo.files:
        m = _GOLANG.match(rel.rsplit("/", 1)[-1])
        if m:
            pair = folders.setdefault(_folder(rel), {}).setdefault((int(m["version"]), m["name"]), {})
            if m["dir"] in pair:
                continue
            pair[m["dir"]] = rel
    out = []
    for folder, pairs in folders.items():
        if not any("up" in p for p in pairs.values()):
            continue
        history = History("golang-migrate", folder, linear_by_design=True)
        for (version, name), files in sorted(pairs.items()):
            up = files.get("up")
            if up is None:
                history.problems.append(Problem(files["down"], f"down migration {version} has no up migration"))
                continue
            text = repo.text(up)
            claimed.update(files.values())
            r = Revision(f"{version}_{name}", (), up, name=name, up_sql=text, up_empty=_blank(text),
                         order_key=(version,))
            if "down" not in files:
                r.down, r.down_detail = Down.MISSING, f"no {version}_{name}.down.sql"
            else:
                r.down_file, r.down_sql = files["down"], repo.text(files["down"])
                r.down, r.down_detail = (Down.EMPTY, f"{files['down']} is empty") if _blank(r.down_sql) else (Down.OK, "")
            history.revisions.append(r)
        chain(history.revisions)
        duplicates(history, key=lambda r: r.order_key, what="version")
        out.append(history)
    return out


def _sections(text: str, marker: re.Pattern) -> tuple[str | None, str | None]:
    """(up, down) of a file split by dbmate / goose section comments."""
    parts = marker.split(text)
    up = down = None
    for i in range(1, len(parts) - 1, 2):
        if parts[i].lower() == "up":
            up = parts[i + 1]
        else:
            down = parts[i + 1]
    return up, down


def _plain(repo: Repository, claimed: set[str]) -> list[History]:
    folders: dict[str, list[tuple[str, re.Match]]] = {}
    for rel in repo.files:
        parts = rel.split("/")
        m = _PLAIN.match(parts[-1])
        if m and rel not in claimed and any(p in ("migrations", "migrate", "migration", "db") for p in parts[:-1]):
            folders.setdefault(_folder(rel), []).append((rel, m))
    out = []
    for folder, files in folders.items():
        texts = {rel: repo.text(rel) or "" for rel, _ in files}
        # Liquibase's formatted SQL changelogs belong to Liquibase's history, not to a folder of their own.
        files = [(rel, m) for rel, m in files if not texts[rel].lstrip().lower().startswith("--liquibase formatted sql")]
        if not files:
            continue
        tool = "dbmate" if any(_DBMATE.search(t) for t in texts.values()) else \
            "goose" if any(_GOOSE.search(t) for t in texts.values()) else "SQL files"
        history = History(tool, folder, linear_by_design=True, has_down_migrations=tool != "SQL files")
        for rel, m in sorted(files, key=lambda f: (int(f[1]["version"]), f[0])):
            text = texts[rel]
            r = Revision(rel.rsplit("/", 1)[-1][:-4], (), rel, name=m["name"], order_key=(int(m["version"]),))
            if tool == "SQL files":
                r.up_sql, r.down, r.down_detail = text, Down.NOT_SUPPORTED, "plain SQL files have no down scripts"
            else:
                up, down = _sections(text, _DBMATE if tool == "dbmate" else _GOOSE)
                r.up_sql, r.down_sql = up, down
                r.down = Down.MISSING if down is None else Down.EMPTY if _blank(down) else Down.OK
                r.down_detail = {Down.MISSING: f"no {tool} down section", Down.EMPTY: f"the {tool} down section is "
                                 "empty"}.get(r.down, "")
            r.up_empty = _blank(r.up_sql)
            history.revisions.append(r)
        chain(history.revisions)
        duplicates(history, key=lambda r: r.order_key, what="version")
        out.append(history)
    return out
