"""Databases deployed with Bitnami Helm charts, read from the charts' values files.

Many repositories never write a StatefulSet for their database: they use a Bitnami chart, either as
the chart itself or as a dependency of an umbrella chart, and set its values. The templates cannot be
read before rendering, but the values files are plain YAML and say what gets deployed: the image tag,
persistence, replicas, metrics, TLS and backups. Each environment's values file (``values-prod.yaml``)
deep-merged over ``values.yaml`` is a store of its own, so environments can be compared.

A value that is a template expression (or of the wrong type) is kept in ``unknown``, never guessed.
Passwords in the values are never read here: the credential scan reports them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .inventory import Inventory, Store
from .stack import image_version
from .structured import ParseError, parsed
from .walk import Repository, line_of


@dataclass(frozen=True)
class Chart:
    """Where one Bitnami chart keeps the settings the audit reads (the layouts differ per chart)."""

    engine: str
    repository: str  # the chart's default image
    image: tuple[str, ...]
    persistence: tuple[str, ...]
    replica_count: tuple[str, ...]
    default_count: int
    architecture: str | None  # default of `architecture`; None: the chart is always a cluster
    count_includes_primary: bool = False
    multi_primary: bool = False  # every node takes writes: no "read replicas"
    tls: tuple[str, ...] | None = ("tls", "enabled")


_PRIMARY = ("primary", "persistence", "enabled")
CHARTS = {
    "postgresql": Chart("postgresql", "bitnami/postgresql", ("image",), _PRIMARY, ("readReplicas", "replicaCount"), 1,
                        "standalone"),
    "postgresql-ha": Chart("postgresql", "bitnami/postgresql-repmgr", ("postgresql", "image"), ("persistence", "enabled"),
                           ("postgresql", "replicaCount"), 3, None, count_includes_primary=True, tls=None),
    "mysql": Chart("mysql", "bitnami/mysql", ("image",), _PRIMARY, ("secondary", "replicaCount"), 1, "standalone"),
    "mariadb": Chart("mariadb", "bitnami/mariadb", ("image",), _PRIMARY, ("secondary", "replicaCount"), 1, "standalone"),
    "mariadb-galera": Chart("mariadb", "bitnami/mariadb-galera", ("image",), ("persistence", "enabled"), ("replicaCount",),
                            3, None, count_includes_primary=True, multi_primary=True),
    "redis": Chart("redis", "bitnami/redis", ("image",), ("master", "persistence", "enabled"), ("replica", "replicaCount"),
                   3, "replication"),
    "mongodb": Chart("mongodb", "bitnami/mongodb", ("image",), ("persistence", "enabled"), ("replicaCount",), 2,
                     "standalone", count_includes_primary=True),
}
REPLICATED = ("replication", "replicaset")
# Keys only a database chart's values hold: a top-level `postgresql:` key holding one of them is that
# chart's values (an application's own `postgresql: {host: ...}` settings are not).
MARKERS = {"auth", "primary", "architecture", "readReplicas", "secondary", "replica", "master", "rootUser"}
VALUES = re.compile(r"^(?:values(?:[-.](?P<after>[\w.\-]+?))?|(?P<before>[\w.\-]+?)[-.]values)\.ya?ml$")
_TOP_KEY = re.compile(r"(?m)^(" + "|".join(map(re.escape, sorted(CHARTS, key=len, reverse=True))) + r")\s*:")
_MISSING = object()


@dataclass(frozen=True)
class Component:
    key: str | None  # values key (dependency alias or name); None: the chart's own values, top level
    chart: str
    condition: str = ""  # values path(s) that switch it on, comma-separated as in Chart.yaml
    version: str | None = None  # the chart's version, not the engine's
    repository: str | None = None
    origin: str = ""  # where the chart is named (Chart.yaml dependency)


def from_helm(repo: Repository, inv: Inventory) -> None:
    """Stores of the database charts in chart folders, then of database-chart values files elsewhere."""
    charts = {rel.rpartition("/")[0] for rel in repo.by_name("Chart.yaml")}
    values: dict[str, list[str]] = {}
    for rel in repo.files:
        folder, _, name = rel.rpartition("/")
        if VALUES.match(name):
            values.setdefault(folder, []).append(rel)
    for folder in sorted(charts):
        if _subchart(folder, charts):
            continue  # a vendored dependency: its values.yaml holds defaults the parent overrides
        components = _components(repo, inv, folder)
        files = [f for f in values.get(folder, []) if f.rpartition("/")[2].startswith("values")]
        if components:
            _stores(repo, inv, folder, files, lambda _merged: components)
    for folder, files in sorted(values.items()):
        if folder in charts:
            continue
        files = [f for f in files if _TOP_KEY.search(repo.text(f) or "")]
        if files:
            _stores(repo, inv, folder, files, _lookalikes)


def _subchart(folder: str, charts: set[str]) -> bool:
    grand, _, base = folder.rpartition("/")[0].rpartition("/")
    return base == "charts" and grand in charts


def _doc(repo: Repository, inv: Inventory, rel: str) -> dict | None:
    docs = parsed(repo, rel, "yaml")
    if isinstance(docs, ParseError):
        if str(docs) not in inv.errors:
            inv.errors.append(str(docs))
        return None
    return docs[0] if docs and isinstance(docs[0], dict) else {}


def _components(repo: Repository, inv: Inventory, folder: str) -> list[Component]:
    prefix = f"{folder}/" if folder else ""
    chart = _doc(repo, inv, f"{prefix}Chart.yaml")
    if chart is None:
        return []
    out = [Component(None, chart["name"])] if _chart_name(chart.get("name")) else []
    listed, deps = f"{prefix}Chart.yaml", chart.get("dependencies")
    if deps is None and f"{prefix}requirements.yaml" in repo.files:  # Helm 2 charts list them there
        listed = f"{prefix}requirements.yaml"
        deps = (_doc(repo, inv, listed) or {}).get("dependencies")
    for dep in deps if isinstance(deps, list) else []:
        if isinstance(dep, dict) and _chart_name(dep.get("name")):
            out.append(Component(str(dep.get("alias") or dep["name"]), dep["name"], str(dep.get("condition") or ""),
                                 _text(dep.get("version")), _text(dep.get("repository")),
                                 f"{listed}:{getattr(dep, 'line', 0)}"))
    return out


def _chart_name(value: Any) -> bool:
    return isinstance(value, str) and value in CHARTS


def _lookalikes(merged: dict) -> list[Component]:
    return [Component(k, k, f"{k}.enabled") for k, v in merged.items()
            if _chart_name(k) and isinstance(v, dict) and MARKERS & set(v)]


def _environment(rel: str) -> str | None:
    m = VALUES.match(rel.rpartition("/")[2])
    return (m["after"] or m["before"]) if m else None


def _stores(repo: Repository, inv: Inventory, folder: str, files: list[str],
            components: Callable[[dict], list[Component]]) -> None:
    """One store per component and values variant: values.yaml alone, and each other values file over it."""
    docs = {rel: doc for rel in files if (doc := _doc(repo, inv, rel)) is not None}
    base = [(rel, doc) for rel, doc in docs.items() if _environment(rel) is None][:1]
    variants = [(None, base)] if base else []
    variants += [(_environment(rel), [(rel, doc)] + base) for rel, doc in docs.items() if _environment(rel)]
    if not docs and not files:
        variants = [(None, [])]  # a chart without values files: the chart's defaults
    for env, layers in variants:
        merged: dict = {}
        for _, doc in reversed(layers):
            merged = _merge(merged, doc)
        for component in components(merged):
            store = _store(repo, folder, component, env, layers, merged)
            if store is not None:
                inv.stores.append(store)
                _exporter(inv, store, component, layers)


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)  # Helm: null removes the default
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _store(repo, folder, component: Component, env, layers, merged) -> Store | None:
    chart = CHARTS[component.chart]
    values = merged if component.key is None else merged.get(component.key)
    values = values if isinstance(values, dict) else {}
    enabled = _condition(merged, component.condition)
    if enabled is False:
        return None
    name = "helm:" + "/".join(p for p in (folder, component.key or component.chart) if p) + (f"@{env}" if env else "")
    declared = [f"{rel}:{_key_line(repo, rel, doc, component.key)}" for rel, doc in layers
                if component.key is None or component.key in doc]
    store = Store(name, chart.engine, None, "helm", declared + [component.origin] if component.origin else declared,
                  settings={"chart": component.chart})
    if not store.declared:
        store.declared.append(f"{folder}/Chart.yaml" if folder else "Chart.yaml")
    for key, value in (("chart_version", component.version), ("chart_repository", component.repository),
                       ("environment", env)):
        if value:
            store.settings[key] = value
    if isinstance(enabled, str):
        store.unknown["enabled"] = enabled
    _image(store, chart, component, _get(values, chart.image))
    persistent = _setting(store, "persistent_volume", _get(values, chart.persistence), bool, True)
    if persistent is not None:
        store.settings["ephemeral_data"] = not persistent  # Bitnami then mounts an emptyDir
    _topology(store, chart, values)
    _setting(store, "metrics_exporter", _get(values, ("metrics", "enabled")), bool, False)
    if chart.tls:
        _setting(store, "tls", _get(values, chart.tls), bool, False)
    if component.chart == "postgresql":  # its pg_dumpall CronJob
        _setting(store, "backup", _get(values, ("backup", "enabled")), bool, False)
    return store


def _condition(merged: dict, condition: str) -> bool | str | None:
    """Helm's rule: the first condition path that exists decides; none existing leaves the chart on."""
    for path in filter(None, (p.strip() for p in condition.split(","))):
        value = _get(merged, tuple(path.split(".")))
        if value is _MISSING or value is None:
            continue
        return value if isinstance(value, bool) else f"{path} = {value}"
    return None


def _image(store: Store, chart: Chart, component: Component, image: Any) -> None:
    image = image if isinstance(image, dict) else {}
    tag = image.get("tag")
    if _expression(tag):
        store.unknown["engine_version"] = tag
    elif tag in (None, ""):
        pinned = f" {component.version}" if component.version else ""
        store.unknown["engine_version"] = f"the default image tag of chart {component.chart}{pinned}"
    else:
        store.settings["image"] = f"{image.get('registry') or 'docker.io'}/{image.get('repository') or chart.repository}:{tag}"
        store.version = image_version(store.settings["image"])


def _topology(store: Store, chart: Chart, values: dict) -> None:
    if chart.architecture is not None:
        arch = _get(values, ("architecture",))
        arch = chart.architecture if arch in (_MISSING, None) else arch
        if not isinstance(arch, str) or _expression(arch):
            store.unknown["architecture"] = str(arch)
            return
        store.settings["architecture"] = arch
        if arch not in REPLICATED:
            store.settings.update(replicas=1, read_replicas=0)
            return
    count = _get(values, chart.replica_count)
    count = chart.default_count if count in (_MISSING, None) else count
    if not isinstance(count, int) or isinstance(count, bool):
        store.unknown["replicas" if chart.count_includes_primary else "read_replicas"] = str(count)
        return
    total = count if chart.count_includes_primary else count + 1
    store.settings["replicas"] = total
    if not chart.multi_primary:
        store.settings["read_replicas"] = total - 1


def _exporter(inv: Inventory, store: Store, component: Component, layers) -> None:
    if store.settings.get("metrics_exporter") is not True:
        return
    for rel, doc in layers:
        values = doc if component.key is None else doc.get(component.key)
        metrics = values.get("metrics") if isinstance(values, dict) else None
        if isinstance(metrics, dict) and "enabled" in metrics:
            entry = f"{rel}:{getattr(metrics, 'line', 0)} (bitnami {component.chart} chart, metrics.enabled)"
            if entry not in inv.exporters:
                inv.exporters.append(entry)
            return


def _setting(store: Store, key: str, value: Any, kind: type, default: Any) -> Any:
    """A literal of the expected type, or the chart's default when unset; anything else is unknown."""
    if value is _MISSING or value is None:
        value = default
    elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        store.unknown[key] = str(value)
        return None
    store.settings[key] = value
    return value


def _get(values: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(values, dict) or key not in values:
            return _MISSING
        values = values[key]
    return values


def _expression(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "${" in value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _key_line(repo: Repository, rel: str, doc: dict, key: str | None) -> int:
    if key is not None:
        m = re.search(rf"(?m)^{re.escape(key)}\s*:", repo.text(rel) or "")
        if m:
            return line_of(repo.text(rel) or "", m.start())
    return getattr(doc, "line", 1) or 1
