"""docker-compose files (every compose file and override in the repository), parsed once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .structured import ParseError, parsed
from .walk import Repository

COMPOSE_NAME = re.compile(r"^(docker-)?compose([\w.\-]*)\.ya?ml$")


@dataclass
class Service:
    file: str
    line: int
    name: str
    image: str | None = None
    environment: dict[str, str] = field(default_factory=dict)
    ports: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    command: str = ""
    depends_on: list[str] = field(default_factory=list)
    healthcheck: bool = False
    resource_limits: bool = False
    replicas: int | None = None  # deploy.replicas

    def public_ports(self) -> list[str]:
        return public_ports(self.ports)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class ComposeModel:
    services: list[Service] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)


def public_ports(ports: list[str]) -> list[str]:
    """Published ports bound to every host interface (``5432:5432``), not to loopback (``127.0.0.1:5432:5432``)."""
    out = []
    for port in ports:
        parts = str(port).split(":")
        if len(parts) >= 2 and not (parts[0].startswith("127.") or parts[0] in ("localhost", "[::1]")):
            out.append(str(port))
    return out


def compose_of(repo: Repository) -> ComposeModel:
    return repo.model("compose", _build)  # type: ignore[return-value]


def _env(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    if isinstance(value, list):
        out = {}
        for item in value:
            key, _, val = str(item).partition("=")
            out[key.strip()] = val
        return out
    return {}


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v if not isinstance(v, dict) else v.get("target") or v.get("published") or v) for v in value]
    if isinstance(value, dict):
        return [str(k) for k in value]
    return []


def _build(repo: Repository) -> ComposeModel:
    model = ComposeModel()
    for rel in repo.files:
        if not COMPOSE_NAME.match(rel.rsplit("/", 1)[-1]):
            continue
        docs = parsed(repo, rel, "yaml")
        if isinstance(docs, ParseError):
            model.errors.append(docs)
            continue
        doc = docs[0] if docs else None
        services = doc.get("services") if isinstance(doc, dict) else None
        if not isinstance(services, dict):
            continue
        model.files.append(rel)
        for name, spec in services.items():
            if not isinstance(spec, dict):
                continue
            ports = []
            for p in spec.get("ports") or []:
                ports.append(str(p) if not isinstance(p, dict) else f"{p.get('host_ip', '')}:{p.get('published', '')}:{p.get('target', '')}")
            command = spec.get("command") or ""
            deploy = spec.get("deploy") if isinstance(spec.get("deploy"), dict) else {}
            model.services.append(Service(
                file=rel, line=getattr(spec, "line", 0) or 0, name=str(name),
                image=str(spec["image"]) if spec.get("image") else None,
                environment=_env(spec.get("environment")), ports=ports, volumes=_strings(spec.get("volumes")),
                command=" ".join(map(str, command)) if isinstance(command, list) else str(command),
                depends_on=_strings(spec.get("depends_on")), healthcheck=bool(spec.get("healthcheck")),
                resource_limits=bool((deploy.get("resources") or {}).get("limits")) or "mem_limit" in spec,
                replicas=deploy.get("replicas") if isinstance(deploy.get("replicas"), int) else None,
            ))
    return model
