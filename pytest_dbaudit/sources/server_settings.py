"""Every committed place a database server setting can be written, as (location, text) pairs.

Compose commands (``-c name=value``, ``--name=value``), server configuration files, RDS parameter
groups and Cloud SQL ``database_flags`` (rendered as ``name=value``). Rules search these texts for
the settings they judge, so each source is read once and judged the same way.
"""

from __future__ import annotations

from collections.abc import Iterator

from .compose import compose_of
from .terraform import terraform_of
from .walk import Repository

CONFIG_FILES = ("postgresql.conf", "my.cnf", "mysqld.cnf", "server.cnf")


def server_settings(repo: Repository) -> Iterator[tuple[str, str]]:
    for svc in compose_of(repo).services:
        if svc.command:
            yield svc.location, svc.command
    for rel in repo.files:
        if rel.rsplit("/", 1)[-1] in CONFIG_FILES or rel.endswith(".cnf"):
            yield rel, repo.text(rel) or ""
    tf = terraform_of(repo)
    for b in tf.blocks:
        for key in ("parameter", "database_flags"):
            for p in b.attrs.get(key) or []:
                if isinstance(p, dict) and "name" in p:
                    yield b.location, f"{p['name']}={tf.resolve(p.get('value'), b.directory)}"
        for s in b.attrs.get("settings") or []:
            for p in (s.get("database_flags") or []) if isinstance(s, dict) else []:
                if isinstance(p, dict) and "name" in p:
                    yield b.location, f"{p['name']}={tf.resolve(p.get('value'), b.directory)}"
