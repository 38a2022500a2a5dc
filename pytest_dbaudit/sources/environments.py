"""Which deployment environment a file describes, from its path or name: ``envs/prod/main.tf``,
``values-staging.yaml``, ``docker-compose.dev.yml``, ``application-prod.yml``, ``settings/test.py``."""

from __future__ import annotations

import re

TOKENS = {
    "prod": "production", "production": "production", "prd": "production", "live": "production",
    "staging": "staging", "stage": "staging", "stg": "staging", "preprod": "staging", "uat": "staging",
    "dev": "development", "development": "development", "local": "development",
    "test": "test", "testing": "test", "qa": "test", "ci": "test",
}


def environment_of(path: str) -> str | None:
    """The environment a path names (the deepest token wins), or None."""
    found = None
    for token in re.split(r"[/._-]+", path.lower()):
        found = TOKENS.get(token, found)
    return found


def without_environment(name: str) -> str:
    """A name with its environment tokens removed, so ``orders-prod`` and ``orders-staging`` match."""
    parts = [p for p in re.split(r"([/._-]+)", name) if p.lower() not in TOKENS]
    return re.sub(r"[/._-]+$|^[/._-]+", "", re.sub(r"([/._-])[/._-]+", r"\1", "".join(parts)))
