"""The inventory of data stores the repository declares, joined across compose and Terraform.

Each store records its engine and version, where it is declared (file:line), which services use
it, and the settings checks care about (backups, HA, encryption, exposure, autoscaling,
monitoring). A setting whose value is only known at plan time is kept in ``unknown`` with its
expression, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .compose import compose_of
from .stack import image_engine, image_version
from .terraform import Block, TerraformModel, Unresolved, terraform_of
from .walk import Repository

KINDS = {"postgresql": "relational", "mysql": "relational", "mariadb": "relational", "sqlserver": "relational",
         "oracle": "relational", "cockroachdb": "relational", "mongodb": "document", "redis": "cache",
         "clickhouse": "analytical"}
POOLER_IMAGES = ("pgbouncer", "pgcat", "odyssey", "proxysql", "pgpool")
EXPORTER_IMAGES = ("postgres-exporter", "postgres_exporter", "mysqld-exporter", "mysqld_exporter",
                   "mongodb-exporter", "redis_exporter", "redis-exporter")

# Terraform resource type -> how its settings are spelled. Values are attribute names, or a
# (block, attribute) path for nested blocks.
AWS_SETTINGS = {
    "backup_retention_days": "backup_retention_period", "multi_az": "multi_az",
    "storage_encrypted": "storage_encrypted", "publicly_accessible": "publicly_accessible",
    "deletion_protection": "deletion_protection", "skip_final_snapshot": "skip_final_snapshot",
    "storage_autoscaling_max": "max_allocated_storage", "allocated_storage": "allocated_storage",
    "iam_auth": "iam_database_authentication_enabled", "performance_insights": "performance_insights_enabled",
    "monitoring_interval": "monitoring_interval", "log_exports": "enabled_cloudwatch_logs_exports",
    "instance_class": "instance_class",
}
TF_STORES = {
    "aws_db_instance": ("aws", AWS_SETTINGS), "aws_rds_cluster": ("aws", AWS_SETTINGS),
    "google_sql_database_instance": ("gcp", {}), "azurerm_postgresql_flexible_server": ("azure", {}),
    "azurerm_mysql_flexible_server": ("azure", {}), "aws_elasticache_replication_group": ("aws", {}),
    "aws_elasticache_cluster": ("aws", {}),
}
# Public modules whose inputs mirror the resources' attributes.
TF_MODULES = {r"terraform-aws-modules/rds(-aurora)?/aws": ("aws", AWS_SETTINGS),
              r"GoogleCloudPlatform/sql-db/google": ("gcp", {})}


@dataclass
class Store:
    name: str
    engine: str
    version: str | None
    source: str  # compose | kubernetes | terraform | app-config
    declared: list[str] = field(default_factory=list)
    used_by: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return KINDS.get(self.engine, "other")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "engine": self.engine, "version": self.version,
                "source": self.source, "declared": self.declared, "used_by": self.used_by,
                "settings": self.settings, "unknown": self.unknown}


@dataclass
class Inventory:
    stores: list[Store] = field(default_factory=list)
    poolers: list[str] = field(default_factory=list)  # file:line (image)
    exporters: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # files that could not be parsed

    def to_dict(self) -> dict[str, Any]:
        return {"stores": [s.to_dict() for s in self.stores], "poolers": self.poolers, "exporters": self.exporters,
                "service_map": {s.name: s.used_by for s in self.stores}, "errors": self.errors}


def inventory_of(repo: Repository) -> Inventory:
    return repo.model("inventory", _build)  # type: ignore[return-value]



def _from_compose(repo: Repository, inv: Inventory) -> None:
    model = compose_of(repo)
    inv.errors += [str(e) for e in model.errors]
    by_name: dict[str, Store] = {}
    for svc in model.services:
        image = svc.image or ""
        lowered = image.lower()
        if any(p in lowered for p in POOLER_IMAGES):
            inv.poolers.append(f"{svc.location} ({image})")
        if any(p in lowered for p in EXPORTER_IMAGES):
            inv.exporters.append(f"{svc.location} ({image})")
        engine = image_engine(image) if image else None
        if not engine:
            continue
        named_volume = any(not v.startswith((".", "/")) and ":" in v for v in svc.volumes)
        store = Store(svc.name, engine, image_version(image), "compose", [svc.location], settings={
            "image": image, "persistent_volume": bool(svc.volumes), "named_volume": named_volume,
            "healthcheck": svc.healthcheck, "resource_limits": svc.resource_limits,
            "published_ports": svc.ports,
        })
        by_name[svc.name] = store
        inv.stores.append(store)
    for svc in model.services:  # who talks to which store: depends_on, hosts in env values
        for name, store in by_name.items():
            if svc.name == name:
                continue
            host = re.compile(rf"(^|[@/=:\s]){re.escape(name)}([:/\s]|$)")
            if name in svc.depends_on or any(host.search(v) for v in svc.environment.values()):
                store.used_by.append(svc.name)


def _engine_of_tf(block: Block, tf: TerraformModel) -> tuple[str, str | None]:
    if block.type.startswith("azurerm_postgresql"):
        return "postgresql", _text(tf.value(block, "version"))
    if block.type.startswith("azurerm_mysql"):
        return "mysql", _text(tf.value(block, "version"))
    if block.type.startswith("aws_elasticache"):
        return "redis", _text(tf.value(block, "engine_version"))
    dbv = tf.value(block, "database_version")
    if isinstance(dbv, str):  # Cloud SQL: POSTGRES_15, MYSQL_8_0
        m = re.match(r"(POSTGRES|MYSQL|SQLSERVER)_(\d+)(?:_(\d+))?", dbv)
        if m:
            eng = {"POSTGRES": "postgresql", "MYSQL": "mysql", "SQLSERVER": "sqlserver"}[m.group(1)]
            return eng, m.group(2) + (f".{m.group(3)}" if m.group(3) else "")
    engine = _text(tf.value(block, "engine")) or ""
    norm = ("postgresql" if "postgres" in engine else "mariadb" if "mariadb" in engine
            else "mysql" if ("mysql" in engine or engine == "aurora") else engine or "unknown")
    return norm, _text(tf.value(block, "engine_version"))


def _text(value: Any) -> str | None:
    return None if value is None or isinstance(value, Unresolved) else str(value)


def _from_terraform(repo: Repository, inv: Inventory) -> None:
    tf = terraform_of(repo)
    inv.errors += [str(e) for e in tf.errors]
    blocks = [(b, TF_STORES[b.type]) for b in tf.blocks if b.kind == "resource" and b.type in TF_STORES]
    for pattern, spec in TF_MODULES.items():
        blocks += [(b, spec) for b in tf.modules(pattern)]
    for block, (cloud, spelling) in blocks:
        engine, version = _engine_of_tf(block, tf)
        store = Store(block.address, engine, version, "terraform", [block.location], settings={"cloud": cloud})
        for attr in ("engine_version", "database_version", "version"):
            if isinstance(tf.value(block, attr), Unresolved):
                store.unknown["engine_version"] = tf.value(block, attr).expression
        for key, attr in spelling.items():
            if attr not in block.attrs:
                continue
            value = tf.value(block, attr)
            if isinstance(value, Unresolved):
                store.unknown[key] = value.expression
            else:
                store.settings[key] = value
        if cloud == "gcp":
            settings = tf.value(block, "settings", [{}])
            first = settings[0] if isinstance(settings, list) and settings else settings if isinstance(settings, dict) else {}
            _gcp_nested(first, store)
            for key, attr in (("availability_type", "availability_type"), ("disk_autoresize", "disk_autoresize"),
                              ("tier", "tier")):
                value = first.get(attr, tf.value(block, attr)) if isinstance(first, dict) else None
                if isinstance(value, Unresolved):
                    store.unknown[key] = value.expression
                elif value is not None:
                    store.settings[key] = value
            if block.attrs.get("deletion_protection") is not None:
                store.settings["deletion_protection"] = tf.value(block, "deletion_protection")
        if cloud == "azure":
            for key, attr in (("publicly_accessible", "public_network_access_enabled"),
                              ("backup_retention_days", "backup_retention_days"),
                              ("geo_redundant_backup", "geo_redundant_backup_enabled")):
                if attr in block.attrs:
                    value = tf.value(block, attr)
                    if isinstance(value, Unresolved):
                        store.unknown[key] = value.expression
                    else:
                        store.settings[key] = value
            store.settings["private_network"] = "delegated_subnet_id" in block.attrs
            ha = tf.value(block, "high_availability", [])
            store.settings["ha_mode"] = (ha[0] if isinstance(ha, list) and ha else ha or {}).get("mode") \
                if isinstance(ha, (list, dict)) else None
        inv.stores.append(store)
    inv.poolers += [f"{b.location} (aws_db_proxy)" for b in tf.resources("aws_db_proxy")]


def _first(value: Any) -> dict:
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}


def _gcp_nested(settings: dict, store: Store) -> None:
    """Cloud SQL's settings { ip_configuration {...} backup_configuration {...} } blocks."""
    ip = _first(settings.get("ip_configuration"))
    if ip:
        nets = ip.get("authorized_networks") or []
        nets = nets if isinstance(nets, list) else [nets]
        store.settings["ipv4_enabled"] = ip.get("ipv4_enabled", True)
        store.settings["authorized_networks"] = [str(_first(n).get("value", "")) for n in nets]
        store.settings["ssl_mode"] = ip.get("ssl_mode") or ("ENCRYPTED_ONLY" if ip.get("require_ssl") else None)
    backup = _first(settings.get("backup_configuration"))
    store.settings["backups_enabled"] = bool(backup.get("enabled")) if backup else False
    store.settings["pitr"] = bool(backup.get("point_in_time_recovery_enabled") or backup.get("binary_log_enabled"))
    kept = _first(backup.get("backup_retention_settings")).get("retained_backups") if backup else None
    if kept is not None:
        store.settings["backup_retention_days"] = kept  # one automated backup a day


def _from_kubernetes(repo: Repository, inv: Inventory) -> None:
    from .kubernetes import kubernetes_of

    k8s = kubernetes_of(repo)
    inv.errors += [str(e) for e in k8s.errors]
    inv.errors += [f"{rel}: Helm template, not read before rendering" for rel in k8s.skipped_templates]
    stores: list[Store] = []
    for w in k8s.workloads:
        for c in w.containers:
            lowered = c.image.lower()
            if any(p in lowered for p in POOLER_IMAGES):
                inv.poolers.append(f"{w.location} ({c.image})")
            if any(p in lowered for p in EXPORTER_IMAGES):
                inv.exporters.append(f"{w.location} ({c.image})")
            engine = image_engine(c.image) if c.image else None
            if not engine:
                continue
            persistent = bool(w.claim_templates or w.claims)
            stores.append(Store(f"{w.kind}/{w.name}", engine, image_version(c.image), "kubernetes", [w.location],
                                settings={"image": c.image, "replicas": w.replicas, "persistent_volume": persistent,
                                          "ephemeral_data": bool(w.empty_dirs) and not persistent,
                                          "secret_env": c.env_from_secret}))
    for cl in k8s.clusters:
        spec = cl.spec
        image = str(spec.get("imageName") or "")
        version = image_version(image) if image else None
        pg = spec.get("postgresql") if isinstance(spec.get("postgresql"), dict) else {}
        version = version or (str(spec.get("postgresVersion")) if spec.get("postgresVersion") else None) or \
            (str(pg.get("version")) if pg.get("version") else None)
        instances = spec.get("instances") if isinstance(spec.get("instances"), int) else spec.get("numberOfInstances")
        stores.append(Store(f"{cl.kind}/{cl.name}", cl.engine, version, "kubernetes", [cl.location],
                            settings={"operator": cl.kind, "instances": instances, "backup": bool(spec.get("backup")
                                      or spec.get("backups"))}))
    for store in stores:
        short = store.name.split("/", 1)[1]
        host = re.compile(rf"(^|[@/=:\s]){re.escape(short)}([.:/\s]|$)")
        for w in k8s.workloads:
            if w.name != short and any(host.search(v) for c in w.containers for v in c.env.values()):
                store.used_by.append(f"{w.kind}/{w.name}")
    inv.stores += stores


def _from_app_config(repo: Repository, inv: Inventory) -> None:
    """Databases the application connects to: attached to a declared store by host name, else listed
    as stores of their own (declared only in app configuration: the orphan/undocumented candidates)."""
    from .appconfig import app_connections

    declared = {s.name.split("/", 1)[-1].lower(): s for s in inv.stores if s.source in ("compose", "kubernetes")}
    # A connection to a pooler is a connection to the store behind it.
    poolers = {svc.name.lower() for svc in compose_of(repo).services
               if svc.image and any(p in svc.image.lower() for p in POOLER_IMAGES)}
    for store in list(declared.values()):
        for user in store.used_by:
            if user.lower() in poolers:
                declared.setdefault(user.lower(), store)
    own: dict[tuple[str, str, str], Store] = {}
    for c in app_connections(repo):
        user = c.location.rsplit(":", 1)[0]
        target = declared.get(c.host)
        if target is not None:
            if user not in target.used_by and not any(user == d.rsplit(":", 1)[0] for d in target.declared):
                target.used_by.append(user)
            continue
        key = (c.engine, c.host, c.database)
        store = own.get(key)
        if store is None:
            name = c.host + (f"/{c.database}" if c.database else "")
            store = own[key] = Store(name, c.engine, None, "app-config", [], settings={"via": []})
        store.declared.append(c.location)
        if c.via not in store.settings["via"]:
            store.settings["via"].append(c.via)
        if user not in store.used_by:
            store.used_by.append(user)
    inv.stores += list(own.values())


def _build(repo: Repository) -> Inventory:
    inv = Inventory()
    _from_compose(repo, inv)
    _from_kubernetes(repo, inv)
    _from_terraform(repo, inv)
    _from_app_config(repo, inv)
    return inv
