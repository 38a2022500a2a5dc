"""Kubernetes manifests: workloads, their containers and volumes, autoscalers, and database operator clusters.

Plain manifests only: Helm templates (``{{ ... }}``) are not valid YAML before rendering and are
skipped, with a note, rather than guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .compose import COMPOSE_NAME
from .structured import ParseError, parsed
from .walk import Repository

WORKLOAD_KINDS = {"StatefulSet", "Deployment", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
# (apiVersion group, kind) -> engine, for operators that run databases
OPERATORS = {
    ("postgresql.cnpg.io", "Cluster"): "postgresql", ("acid.zalan.do", "postgresql"): "postgresql",
    ("postgres-operator.crunchydata.com", "PostgresCluster"): "postgresql",
    ("mysql.oracle.com", "InnoDBCluster"): "mysql", ("pxc.percona.com", "PerconaXtraDBCluster"): "mysql",
    ("k8s.mariadb.com", "MariaDB"): "mariadb", ("mongodbcommunity.mongodb.com", "MongoDBCommunity"): "mongodb",
}


@dataclass
class Container:
    name: str
    image: str
    env: dict[str, str]  # literal values
    env_from_secret: list[str]  # names whose value comes from a Secret / ConfigMap reference
    command: str = ""  # command and args, joined: how the process is started (e.g. gunicorn --workers 4)


@dataclass
class Workload:
    file: str
    line: int
    kind: str
    name: str
    replicas: int | None
    containers: list[Container]
    claim_templates: list[str]  # StatefulSet volumeClaimTemplates
    empty_dirs: list[str]  # emptyDir volumes
    claims: list[str]  # persistentVolumeClaim volumes

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class OperatorCluster:
    file: str
    line: int
    kind: str
    name: str
    engine: str
    spec: dict[str, Any]

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Autoscaler:
    """A HorizontalPodAutoscaler: while it exists, it (not spec.replicas) sets the target's replica count."""

    file: str
    line: int
    name: str
    target_kind: str
    target_name: str
    max_replicas: int | None

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class KubernetesModel:
    workloads: list[Workload] = field(default_factory=list)
    autoscalers: list[Autoscaler] = field(default_factory=list)
    clusters: list[OperatorCluster] = field(default_factory=list)
    skipped_templates: list[str] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)


def kubernetes_of(repo: Repository) -> KubernetesModel:
    return repo.model("kubernetes", _build)  # type: ignore[return-value]


def _pod_spec(doc: dict) -> dict:
    spec = doc.get("spec") or {}
    if doc.get("kind") == "Pod":
        return spec
    if doc.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec") or {})
    return ((spec.get("template") or {}).get("spec") or {}) if isinstance(spec, dict) else {}


def _containers(pod: dict) -> list[Container]:
    out = []
    for c in (pod.get("containers") or []) + (pod.get("initContainers") or []):
        if not isinstance(c, dict):
            continue
        literal, referenced = {}, []
        for e in c.get("env") or []:
            if not isinstance(e, dict) or "name" not in e:
                continue
            if "valueFrom" in e:
                referenced.append(str(e["name"]))
            elif e.get("value") is not None:
                literal[str(e["name"])] = str(e["value"])
        argv = [a for key in ("command", "args") for a in (c.get(key) if isinstance(c.get(key), list) else [])]
        out.append(Container(str(c.get("name", "")), str(c.get("image", "")), literal, referenced,
                             " ".join(map(str, argv))))
    return out


def _build(repo: Repository) -> KubernetesModel:
    model = KubernetesModel()
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if not name.endswith((".yaml", ".yml")) or COMPOSE_NAME.match(name):
            continue
        text = repo.text(rel) or ""
        if "kind:" not in text or "apiVersion" not in text:
            continue
        if "{{" in text:
            model.skipped_templates.append(rel)
            continue
        docs = parsed(repo, rel, "yaml")
        if isinstance(docs, ParseError):
            model.errors.append(docs)
            continue
        for doc in docs:
            if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str):
                continue
            kind = doc["kind"]
            meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
            line = getattr(doc, "line", 0)
            group = str(doc.get("apiVersion", "")).split("/")[0]
            if (group, kind) in OPERATORS:
                spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
                model.clusters.append(OperatorCluster(rel, line, kind, str(meta.get("name", "")),
                                                      OPERATORS[(group, kind)], spec))
                continue
            if kind == "HorizontalPodAutoscaler":
                model.autoscalers.append(_autoscaler(rel, line, meta, doc))
                continue
            if kind not in WORKLOAD_KINDS:
                continue
            spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
            pod = _pod_spec(doc)
            volumes = pod.get("volumes") or []
            model.workloads.append(Workload(
                file=rel, line=line, kind=kind, name=str(meta.get("name", "")),
                replicas=spec.get("replicas") if isinstance(spec.get("replicas"), int) else None,
                containers=_containers(pod),
                claim_templates=[str((t.get("metadata") or {}).get("name", "")) for t in spec.get("volumeClaimTemplates") or []
                                 if isinstance(t, dict)],
                empty_dirs=[str(v.get("name")) for v in volumes if isinstance(v, dict) and "emptyDir" in v],
                claims=[str(v.get("name")) for v in volumes if isinstance(v, dict) and "persistentVolumeClaim" in v],
            ))
    return model


def _autoscaler(rel: str, line: int, meta: dict, doc: dict) -> Autoscaler:
    spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
    target = spec.get("scaleTargetRef") if isinstance(spec.get("scaleTargetRef"), dict) else {}
    top = spec.get("maxReplicas")
    return Autoscaler(rel, line, str(meta.get("name", "")), str(target.get("kind", "")), str(target.get("name", "")),
                      top if isinstance(top, int) and not isinstance(top, bool) else None)
