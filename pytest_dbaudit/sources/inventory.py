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
from .stack import image_engine, image_name, image_version
from .terraform import Block, TerraformModel, Unresolved, reference, terraform_of
from .walk import Repository

KINDS = {"postgresql": "relational", "mysql": "relational", "mariadb": "relational", "sqlserver": "relational",
         "oracle": "relational", "cockroachdb": "relational", "mongodb": "document", "redis": "cache",
         "clickhouse": "analytical", "valkey": "cache", "memcached": "cache", "rabbitmq": "queue", "kafka": "queue",
         "nats": "queue", "sqs": "queue", "pubsub": "queue", "activemq": "queue", "minio": "object-storage",
         "s3": "object-storage", "gcs": "object-storage", "elasticsearch": "search", "opensearch": "search",
         "dynamodb": "key-value", "documentdb": "document", "cosmosdb": "document"}
# Data stores that are not databases, by image: queues, object storage, search. They belong in the
# inventory (seed 001 catalogs every data store) but not in the stack's database signal.
OTHER_IMAGES = {"rabbitmq": "rabbitmq", "bitnami/rabbitmq": "rabbitmq", "apache/kafka": "kafka",
                "bitnami/kafka": "kafka", "confluentinc/cp-kafka": "kafka", "redpandadata/redpanda": "kafka",
                "docker.redpanda.com/redpandadata/redpanda": "kafka", "nats": "nats", "minio/minio": "minio",
                "bitnami/minio": "minio", "quay.io/minio/minio": "minio", "memcached": "memcached",
                "bitnami/memcached": "memcached", "elasticsearch": "elasticsearch",
                "docker.elastic.co/elasticsearch/elasticsearch": "elasticsearch",
                "opensearchproject/opensearch": "opensearch", "apache/activemq-artemis": "activemq"}
# Terraform resources of those stores -> engine. Buckets count when they hold backups (name or tags say so).
TF_OTHER = {"aws_sqs_queue": "sqs", "aws_msk_cluster": "kafka", "aws_mq_broker": "activemq",
            "google_pubsub_topic": "pubsub", "aws_dynamodb_table": "dynamodb", "aws_docdb_cluster": "documentdb",
            "azurerm_cosmosdb_account": "cosmosdb", "google_redis_instance": "redis", "azurerm_redis_cache": "redis",
            "aws_opensearch_domain": "opensearch", "aws_s3_bucket": "s3", "google_storage_bucket": "gcs"}
_BACKUP_BUCKET = re.compile(r"backup|wal|archive|snapshot|dump|pgbackrest|barman", re.IGNORECASE)


def store_engine(image: str) -> str | None:
    """The engine an image runs: a database (stack.image_engine) or another data store."""
    return image_engine(image) or OTHER_IMAGES.get(image_name(image))
POOLER_IMAGES = ("pgbouncer", "pgcat", "odyssey", "proxysql", "pgpool")
EXPORTER_IMAGES = ("postgres-exporter", "postgres_exporter", "mysqld-exporter", "mysqld_exporter",
                   "mongodb-exporter", "redis_exporter", "redis-exporter")

# Terraform resource type -> how its settings are spelled. Values are attribute names.
AWS_SETTINGS = {
    "backup_retention_days": "backup_retention_period", "multi_az": "multi_az",
    "storage_encrypted": "storage_encrypted", "publicly_accessible": "publicly_accessible",
    "deletion_protection": "deletion_protection", "skip_final_snapshot": "skip_final_snapshot",
    "storage_autoscaling_max": "max_allocated_storage", "allocated_storage": "allocated_storage",
    "iam_auth": "iam_database_authentication_enabled", "performance_insights": "performance_insights_enabled",
    "monitoring_interval": "monitoring_interval", "log_exports": "enabled_cloudwatch_logs_exports",
    "instance_class": "instance_class", "managed_password": "manage_master_user_password",
    "ca_cert": "ca_cert_identifier",
}
ELASTICACHE_SETTINGS = {
    "storage_encrypted": "at_rest_encryption_enabled", "transit_encryption": "transit_encryption_enabled",
    "automatic_failover": "automatic_failover_enabled", "multi_az": "multi_az_enabled",
    "snapshot_retention_days": "snapshot_retention_limit", "instance_class": "node_type",
    "nodes": "num_cache_clusters", "auth_token_set": "auth_token",
}
AZURE_SETTINGS = {"publicly_accessible": "public_network_access_enabled",
                  "backup_retention_days": "backup_retention_days",
                  "geo_redundant_backup": "geo_redundant_backup_enabled", "instance_class": "sku_name",
                  "storage_mb": "storage_mb", "create_mode": "create_mode"}
TF_STORES = {
    "aws_db_instance": ("aws", AWS_SETTINGS), "aws_rds_cluster": ("aws", AWS_SETTINGS),
    "google_sql_database_instance": ("gcp", {}), "azurerm_postgresql_flexible_server": ("azure", AZURE_SETTINGS),
    "azurerm_mysql_flexible_server": ("azure", AZURE_SETTINGS),
    "aws_elasticache_replication_group": ("aws", ELASTICACHE_SETTINGS),
    "aws_elasticache_cluster": ("aws", ELASTICACHE_SETTINGS),
}
# Public modules whose inputs mirror the resources' attributes.
TF_MODULES = {r"terraform-aws-modules/rds(-aurora)?/aws": ("aws", AWS_SETTINGS),
              r"GoogleCloudPlatform/sql-db/google": ("gcp", {})}
# Where a replica names its primary.
REPLICA_OF = {"aws_db_instance": "replicate_source_db", "google_sql_database_instance": "master_instance_name",
              "azurerm_postgresql_flexible_server": "source_server_id",
              "azurerm_mysql_flexible_server": "source_server_id"}


@dataclass
class Store:
    name: str
    engine: str
    version: str | None
    source: str  # compose | kubernetes | helm | terraform | app-config
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
        engine = store_engine(image) if image else None
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
        engine = _text(tf.value(block, "engine")) or "redis"
        return ("valkey" if engine == "valkey" else "memcached" if engine == "memcached" else "redis"), \
            _text(tf.value(block, "engine_version"))
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


def _keep(store: Store, key: str, value: Any) -> None:
    """A known value goes to settings, a plan-time one to unknown with its expression."""
    if isinstance(value, Unresolved):
        store.unknown[key] = value.expression
    elif value is not None:
        store.settings[key] = value


def _flags(pairs: Any, tf: TerraformModel, directory: str) -> dict[str, Any]:
    """name/value pairs of Cloud SQL database_flags and RDS parameter groups."""
    out = {}
    for p in pairs if isinstance(pairs, list) else []:
        if isinstance(p, dict) and isinstance(p.get("name"), str):
            value = tf.resolve(p.get("value"), directory)
            out[p["name"]] = value.expression if isinstance(value, Unresolved) else value
    return out


def _referrers(tf: TerraformModel, rtype: str, attr: str) -> dict[tuple[str, str], list[Block]]:
    """Resources of ``rtype`` grouped by the (module directory, address) their ``attr`` refers to:
    references resolve inside one module, and envs/prod and envs/staging reuse the same addresses."""
    out: dict[tuple[str, str], list[Block]] = {}
    for b in tf.resources(rtype):
        value = b.attrs.get(attr)
        for v in value if isinstance(value, list) else [value]:
            ref = reference(v) if isinstance(v, str) else None
            if ref:
                out.setdefault((b.directory, ref), []).append(b)
    return out


def module_of(store: Store) -> str:
    """The directory of the Terraform module that declares a store."""
    file = store.declared[0].rsplit(":", 1)[0] if store.declared else ""
    return file.rsplit("/", 1)[0] if "/" in file else ""


def _from_terraform(repo: Repository, inv: Inventory) -> None:
    tf = terraform_of(repo)
    inv.errors += [str(e) for e in tf.errors]
    blocks = [(b, TF_STORES[b.type]) for b in tf.blocks if b.kind == "resource" and b.type in TF_STORES]
    for pattern, spec in TF_MODULES.items():
        blocks += [(b, spec) for b in tf.modules(pattern)]
    backup_copies = _referrers(tf, "aws_db_instance_automated_backups_replication", "source_db_instance_arn")
    diagnostics = _referrers(tf, "azurerm_monitor_diagnostic_setting", "target_resource_id")
    groups = {(b.directory, b.address): b
              for b in tf.resources("aws_db_parameter_group", "aws_rds_cluster_parameter_group")}
    for block, (cloud, spelling) in blocks:
        engine, version = _engine_of_tf(block, tf)
        store = Store(block.address, engine, version, "terraform", [block.location], settings={"cloud": cloud})
        for attr in ("engine_version", "database_version", "version"):
            if isinstance(tf.value(block, attr), Unresolved):
                store.unknown["engine_version"] = tf.value(block, attr).expression
        for key, attr in spelling.items():
            if attr in block.attrs:
                _keep(store, key, tf.value(block, attr))
        if "auth_token_set" in store.settings:  # the token itself is a secret: keep only that it is set
            store.settings["auth_token_set"] = True
        _keep(store, "region", tf.region(block))
        source_attr = REPLICA_OF.get(block.type, "replicate_source_db" if block.kind == "module" else "")
        if source_attr in block.attrs:
            raw = block.attrs[source_attr]
            store.settings["replica_of"] = reference(raw) or str(_text(tf.value(block, source_attr)) or raw)
        if cloud == "aws":
            for ref in ("parameter_group_name", "db_cluster_parameter_group_name"):
                if ref not in block.attrs:
                    continue
                group = groups.get((block.directory, reference(block.attrs[ref]) or ""))
                if group is not None:
                    store.settings.setdefault("flags", {}).update(_flags(group.attrs.get("parameter"), tf,
                                                                         group.directory))
                else:  # a group managed elsewhere: its settings cannot be read here
                    store.unknown["flags"] = f"{ref} = {block.attrs[ref]}"
            if "global_cluster_identifier" in block.attrs:
                raw = block.attrs["global_cluster_identifier"]
                store.settings["global_cluster"] = reference(raw) or str(raw)
            copies = backup_copies.get((block.directory, block.address), [])
            if copies:
                store.settings["backup_copies"] = [{"region": _text(tf.region(c)) or "(plan time)",
                                                    "declared": c.location} for c in copies]
        elif cloud == "gcp":
            settings = tf.value(block, "settings", [{}])
            first = _first(settings)
            _gcp_nested(first, store)
            for key, attr in (("availability_type", "availability_type"), ("disk_autoresize", "disk_autoresize"),
                              ("tier", "tier")):
                _keep(store, key, first.get(attr, tf.value(block, attr)))
            if "tier" in store.settings:
                store.settings["instance_class"] = store.settings["tier"]
            if block.attrs.get("deletion_protection") is not None:
                store.settings["deletion_protection"] = tf.value(block, "deletion_protection")
            flags = _flags(first.get("database_flags"), tf, block.directory)
            if flags:
                store.settings["flags"] = flags
            store.settings["iam_auth"] = str(flags.get("cloudsql.iam_authentication", "off")).lower() == "on" or \
                str(flags.get("cloudsql_iam_authentication", "off")).lower() == "on"
            policy = _first(first.get("password_validation_policy"))
            if policy:
                store.settings["password_policy"] = bool(policy.get("enable_password_policy"))
        elif cloud == "azure":
            store.settings["private_network"] = "delegated_subnet_id" in block.attrs
            ha = _first(tf.value(block, "high_availability", []))
            store.settings["ha_mode"] = ha.get("mode")
            auth = _first(tf.value(block, "authentication", []))
            if auth:
                store.settings["iam_auth"] = auth.get("active_directory_auth_enabled") is True
            if store.settings.get("create_mode") != "Replica":
                store.settings.pop("replica_of", None)
            logs = diagnostics.get((block.directory, block.address), [])
            if logs:
                store.settings["log_exports"] = [str(_first(e).get("category") or _first(e).get("category_group"))
                                                 for d in logs for e in (d.attrs.get("enabled_log") or [])]
        inv.stores.append(store)
    _other_cloud_stores(tf, inv)
    _inherit_from_primaries(inv.stores)
    _aws_backup_copies(tf, inv.stores)
    inv.poolers += [f"{b.location} (aws_db_proxy)" for b in tf.resources("aws_db_proxy")]


def _other_cloud_stores(tf: TerraformModel, inv: Inventory) -> None:
    """Queues, key-value and document services, and buckets that hold backups."""
    for b in tf.resources(*TF_OTHER):
        engine = TF_OTHER[b.type]
        if engine in ("s3", "gcs"):
            label = " ".join(str(tf.value(b, k) or "") for k in ("bucket", "name", "tags")) + " " + b.name
            if not _BACKUP_BUCKET.search(label):
                continue
        store = Store(b.address, engine, None, "terraform", [b.location],
                      settings={"cloud": b.type.split("_", 1)[0].replace("google", "gcp").replace("azurerm", "azure")})
        if engine in ("s3", "gcs"):
            store.settings["purpose"] = "backups"
            _keep(store, "object_lock", tf.value(b, "object_lock_enabled"))
        _keep(store, "region", tf.region(b))
        inv.stores.append(store)


def _inherit_from_primaries(stores: list[Store]) -> None:
    """A replica declared without engine or version runs its primary's, and an RDS replica is encrypted
    exactly when its source is."""
    by_name = {(module_of(s), s.name): s for s in stores if s.source == "terraform"}
    for s in stores:
        primary = by_name.get((module_of(s), str(s.settings.get("replica_of") or "")))
        if primary is None:
            continue
        if s.engine == "unknown":
            s.engine, s.version = primary.engine, s.version or primary.version
        if "storage_encrypted" not in s.settings and "storage_encrypted" in primary.settings:
            s.settings["storage_encrypted"] = primary.settings["storage_encrypted"]


def _aws_backup_copies(tf: TerraformModel, stores: list[Store]) -> None:
    """AWS Backup plans whose rules copy recovery points to another vault, joined to the stores their
    selections name: the copy lands in the destination vault's region."""
    vaults = {(v.directory, v.address): v for v in tf.resources("aws_backup_vault")}
    plans: dict[tuple[str, str], list[str]] = {}
    for plan in tf.resources("aws_backup_plan"):
        for rule in _blocks(plan.attrs.get("rule")):
            for copy in _blocks(rule.get("copy_action")):
                vault = vaults.get((plan.directory, reference(copy.get("destination_vault_arn")) or ""))
                where = tf.region(vault) if vault is not None else None
                plans.setdefault((plan.directory, plan.address), []).append(where if isinstance(where, str) else "(plan time)")
    by_name = {(module_of(s), s.name): s for s in stores}
    for sel in tf.resources("aws_backup_selection"):
        regions = plans.get((sel.directory, reference(sel.attrs.get("plan_id")) or ""))
        resources = sel.attrs.get("resources") or []
        for raw in resources if regions and isinstance(resources, list) else []:
            store = by_name.get((sel.directory, reference(raw) or ""))
            if store is not None:
                store.settings.setdefault("backup_copies", []).extend(
                    {"region": r, "declared": sel.location, "via": "AWS Backup copy rule"} for r in regions)


def _blocks(value: Any) -> list[dict]:
    """Nested blocks as hcl2 gives them: a list of dicts (or one dict)."""
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, dict)]


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
    if backup:
        _keep(store, "backup_location", backup.get("location"))


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
            engine = store_engine(c.image) if c.image else None
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
    from .helm import from_helm as _from_helm

    inv = Inventory()
    _from_compose(repo, inv)
    _from_kubernetes(repo, inv)
    _from_helm(repo, inv)
    _from_terraform(repo, inv)
    _from_app_config(repo, inv)
    return inv
