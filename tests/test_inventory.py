"""The inventory model: compose + Terraform joined, variables resolved, unknowns kept, bad files survived."""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, write
from pytest_dbaudit.sources.inventory import inventory_of
from pytest_dbaudit.sources.structured import ParseError, parsed
from pytest_dbaudit.sources.terraform import Unresolved, terraform_of
from pytest_dbaudit.sources.walk import Repository

COMPOSE = """
services:
  db:
    image: postgres:15.6
    volumes: ["pgdata:/var/lib/postgresql/data"]
    healthcheck: {test: ["CMD", "pg_isready"]}
  cache:
    image: redis:7.2
  pgbouncer:
    image: bitnami/pgbouncer:1.23.1
    depends_on: [db]
  api:
    build: .
    environment:
      DATABASE_URL: postgresql://app:${DB_PASSWORD}@pgbouncer:6432/shop
      REDIS_URL: redis://cache:6379/0
  worker:
    build: .
    environment: ["DB_HOST=db", "DB_PORT=5432"]
volumes:
  pgdata:
"""
TERRAFORM = """
variable "retention" { default = 3 }
variable "instance_class" {}
locals { engine = "postgres" }

resource "aws_db_instance" "orders" {
  engine                  = local.engine
  engine_version          = "13.7"
  instance_class          = var.instance_class
  backup_retention_period = var.retention
  multi_az                = false
  storage_encrypted       = true
  publicly_accessible     = false
  skip_final_snapshot     = true
  kms_key_id              = aws_kms_key.db.arn
}

resource "google_sql_database_instance" "reports" {
  database_version = "POSTGRES_15"
  settings {
    tier              = "db-custom-2-7680"
    availability_type = "REGIONAL"
    disk_autoresize   = true
  }
  deletion_protection = true
}

module "billing_db" {
  source                  = "terraform-aws-modules/rds/aws"
  engine                  = "mysql"
  engine_version          = "8.0.35"
  backup_retention_period = 14
  multi_az                = true
}

resource "aws_db_proxy" "orders" {
  name = "orders"
}
"""


def test_compose_and_terraform_join_into_one_inventory(tmp_path):
    write(tmp_path, {"docker-compose.yml": COMPOSE, "infra/main.tf": TERRAFORM,
                     "infra/prod.tfvars": 'retention = 7\n'})
    inv = inventory_of(Repository(tmp_path))
    stores = {s.name: s for s in inv.stores}
    assert set(stores) == {"db", "cache", "aws_db_instance.orders", "google_sql_database_instance.reports",
                           "module.billing_db"}
    db = stores["db"]
    assert (db.engine, db.version, db.declared, db.kind) == ("postgresql", "15.6", ["docker-compose.yml:3"], "relational")
    assert sorted(db.used_by) == ["pgbouncer", "worker"]
    assert stores["cache"].used_by == ["api"] and stores["cache"].kind == "cache"
    assert db.settings["named_volume"] is True and db.settings["healthcheck"] is True

    orders = stores["aws_db_instance.orders"]
    assert (orders.engine, orders.version, orders.declared) == ("postgresql", "13.7", ["infra/main.tf:5"])
    assert orders.settings["backup_retention_days"] == 7  # tfvars beat the variable default
    assert orders.settings["multi_az"] is False and orders.settings["skip_final_snapshot"] is True
    assert orders.unknown == {"instance_class": "var.instance_class"}  # declared without a value
    reports = stores["google_sql_database_instance.reports"]
    assert (reports.engine, reports.version) == ("postgresql", "15")
    assert reports.settings["availability_type"] == "REGIONAL" and reports.settings["deletion_protection"] is True
    billing = stores["module.billing_db"]
    assert (billing.engine, billing.version, billing.settings["multi_az"]) == ("mysql", "8.0.35", True)
    assert inv.poolers == ["docker-compose.yml:9 (bitnami/pgbouncer:1.23.1)", "infra/main.tf:35 (aws_db_proxy)"]


def test_unresolvable_expressions_stay_unknown(tmp_path):
    write(tmp_path, {"main.tf": 'resource "aws_db_instance" "x" {\n  engine = "postgres"\n'
                                '  backup_retention_period = data.aws_ssm_parameter.r.value\n'
                                '  multi_az = var.ha ? true : false\n}\n'})
    tf = terraform_of(Repository(tmp_path))
    block = tf.resources("aws_db_instance")[0]
    assert isinstance(tf.value(block, "backup_retention_period"), Unresolved)
    assert str(tf.value(block, "backup_retention_period")) == "data.aws_ssm_parameter.r.value"
    assert isinstance(tf.value(block, "multi_az"), Unresolved)


BROKEN = {
    "docker-compose.yml": "services:\n  db:\n    image: [unclosed\n",
    "k8s/bad.yaml": "a: b\n c: d\n\t- x\n",
    "main.tf": 'resource "aws_db_instance" "x" {\n  engine = \n',
    "vars.tfvars": "= 3\n",
    "package.json": "{not json",
    "latin1.yml": "name: caf\xe9\n",
}


def test_broken_files_are_reported_not_fatal(tmp_path):
    write(tmp_path, {k: v for k, v in BROKEN.items() if k != "latin1.yml"})
    (tmp_path / "latin1.yml").write_bytes("services:\n  db:\n    image: caf\xe9\n".encode("latin-1"))
    (tmp_path / "huge-compose.yml").write_bytes(b"a: b\n" * 300_000)
    os.symlink(tmp_path / "loop", tmp_path / "loop")  # a self-referencing link
    repo = Repository(tmp_path)
    inv = inventory_of(repo)
    assert inv.stores == []
    joined = "\n".join(inv.errors)
    assert "docker-compose.yml: could not parse" in joined and "main.tf: could not parse" in joined
    assert "vars.tfvars: could not parse" in joined
    assert isinstance(parsed(repo, "latin1.yml", "yaml"), ParseError)
    assert parsed(repo, "latin1.yml", "yaml").reason == "not UTF-8 text"
    assert parsed(repo, "huge-compose.yml", "yaml").reason == "larger than the size cap"


def test_each_file_is_parsed_once(tmp_path, monkeypatch):
    write(tmp_path, {"docker-compose.yml": COMPOSE, "infra/main.tf": TERRAFORM})
    repo = Repository(tmp_path)
    calls = []
    real = Repository.text
    monkeypatch.setattr(Repository, "text", lambda self, rel: calls.append(rel) or real(self, rel))
    inventory_of(repo)
    inventory_of(repo)
    terraform_of(repo)
    from pytest_dbaudit.sources.credentials import credentials_of
    credentials_of(repo)
    reads = {rel: calls.count(rel) for rel in set(calls)}
    # text() is cached: the disk is read once; parsing happens once per (file, format)
    assert all(n >= 1 for n in reads.values())
    assert sum(1 for k in repo.models() if k.startswith(("yaml:", "hcl:"))) == 2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_parsers_never_raise(tmp_path_factory, text):
    base = tmp_path_factory.mktemp("fuzz")
    write(base, {"docker-compose.yml": text, "main.tf": text, "x.tfvars": text})
    inv = inventory_of(Repository(base))
    assert isinstance(inv.errors, list)


def test_examples_inventory(tmp_path):
    inv = inventory_of(Repository(EXAMPLES / "mature_shop"))
    pg = [s for s in inv.stores if s.engine == "postgresql"]
    assert len(pg) == 1 and pg[0].version == "16.16"
    # shop/db.py connects through PgBouncer: that is a use of the store behind it
    assert sorted(pg[0].used_by) == ["backup", "pgbouncer", "postgres-exporter", "shop/db.py"]
    assert inv.poolers and inv.exporters
    legacy = inventory_of(Repository(EXAMPLES / "legacy_inventory"))
    assert [(s.name, s.source, s.used_by) for s in legacy.stores] == [
        ("db", "compose", ["app"]),
        ("db.internal.example.com/inventory", "app-config", ["inventory/settings.py"]),  # declared nowhere else
    ]


K8S = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: orders-db}
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: postgres
          image: postgres:14.10
          env:
            - name: POSTGRES_PASSWORD
              value: Kub3Literal99
            - name: REPLICATION_PASSWORD
              valueFrom: {secretKeyRef: {name: db, key: repl}}
      volumes:
        - name: data
          emptyDir: {}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          image: example/api:1.2
          env:
            - name: DATABASE_URL
              value: postgresql://app@orders-db:5432/orders?sslmode=verify-full
        - name: exporter
          image: quay.io/prometheuscommunity/postgres-exporter:v0.15.0
---
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: billing}
spec:
  instances: 3
  imageName: ghcr.io/cloudnative-pg/postgresql:16.4
  backup: {barmanObjectStore: {destinationPath: "s3://backups/billing"}}
"""


def test_kubernetes_workloads_operators_and_secrets(tmp_path):
    from pytest_dbaudit.sources.credentials import credentials_of

    write(tmp_path, {"deploy/k8s.yaml": K8S, "chart/templates/db.yaml": "apiVersion: v1\nkind: Secret\n"
                     "metadata: {name: {{ .Release.Name }}}\n"})
    repo = Repository(tmp_path)
    inv = inventory_of(repo)
    stores = {s.name: s for s in inv.stores}
    db = stores["StatefulSet/orders-db"]
    assert (db.engine, db.version, db.source, db.declared) == ("postgresql", "14.10", "kubernetes", ["deploy/k8s.yaml:1"])
    assert db.settings["ephemeral_data"] is True and db.settings["secret_env"] == ["REPLICATION_PASSWORD"]
    assert db.used_by == ["Deployment/api"]
    billing = stores["Cluster/billing"]
    assert (billing.engine, billing.version, billing.settings["instances"], billing.settings["backup"]) == \
           ("postgresql", "16.4", 3, True)
    assert inv.exporters == ["deploy/k8s.yaml:20 (quay.io/prometheuscommunity/postgres-exporter:v0.15.0)"]
    assert "chart/templates/db.yaml: Helm template, not read before rendering" in inv.errors
    creds = [c for c in credentials_of(repo) if c.file == "deploy/k8s.yaml"]
    assert [(c.shown, c.line) for c in creds] == [("POSTGRES_PASSWORD=****", 1)]


def test_application_settings_name_their_databases(tmp_path):
    write(tmp_path, {
        "docker-compose.yml": "services:\n  pg:\n    image: postgres:16.4\n",
        "web/settings.py": "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n"
                           "        'HOST': 'pg',\n        'NAME': 'shop',\n    },\n    'analytics': {\n"
                           "        'ENGINE': 'django.db.backends.mysql',\n        'HOST': os.environ['AN_HOST'],\n    },\n}\n",
        "rails/config/database.yml": "production:\n  adapter: postgresql\n  host: orders.cluster-x.eu-west-1.rds.amazonaws.com\n"
                                     "  database: orders\ndevelopment:\n  adapter: sqlite3\n  database: db/dev.sqlite3\n",
        "api/src/main/resources/application.properties": "spring.datasource.url=jdbc:postgresql://reports.internal:5432/reports\n",
        ".env": "CACHE_URL=redis://cache.internal:6379/0\n",
        "README.md": "connect with postgresql://someone@docs.example.com/db\n",  # prose: not a connection
    })
    inv = inventory_of(Repository(tmp_path))
    stores = {(s.name, s.source): s for s in inv.stores}
    assert stores[("pg", "compose")].used_by == ["web/settings.py"]
    rds = stores[("orders.cluster-x.eu-west-1.rds.amazonaws.com/orders", "app-config")]
    assert rds.settings["via"] == ["rails:production"] and rds.declared == ["rails/config/database.yml:2"]
    assert stores[("reports.internal/reports", "app-config")].engine == "postgresql"
    assert stores[("cache.internal/0", "app-config")].kind == "cache"
    assert ("(from the environment)", "app-config") in stores
    assert not [k for k in stores if "docs.example.com" in k[0]]


def test_queues_object_storage_and_search_are_data_stores(tmp_path):
    write(tmp_path, {
        "docker-compose.yml": "services:\n  db:\n    image: postgres:16.16\n    volumes: ['pg:/var/lib/postgresql/data']\n"
                              "  mq:\n    image: rabbitmq:3.13-management\n    ports: ['5672:5672']\n"
                              "  files:\n    image: minio/minio:RELEASE.2025-01-20T14-49-07Z\n"
                              "  worker:\n    image: shop/worker:1.0\n    environment:\n"
                              "      BROKER_URL: amqp://mq:5672\n      S3_ENDPOINT: http://files:9000\n"
                              "volumes:\n  pg: {}\n",
        "infra/main.tf": 'resource "aws_sqs_queue" "orders" {\n  name = "orders"\n}\n'
                         'resource "aws_s3_bucket" "pg_backups" {\n  bucket = "shop-pg-backups"\n  object_lock_enabled = true\n}\n'
                         'resource "aws_s3_bucket" "assets" {\n  bucket = "shop-assets"\n}\n',
    })
    inv = inventory_of(Repository(tmp_path))
    stores = {s.name: s for s in inv.stores}
    assert (stores["mq"].kind, stores["mq"].engine, stores["mq"].used_by) == ("queue", "rabbitmq", ["worker"])
    assert (stores["files"].kind, stores["files"].used_by) == ("object-storage", ["worker"])
    assert stores["aws_sqs_queue.orders"].kind == "queue"
    backups = stores["aws_s3_bucket.pg_backups"]
    assert (backups.kind, backups.settings["purpose"], backups.settings["object_lock"]) == ("object-storage", "backups", True)
    assert "aws_s3_bucket.assets" not in stores  # a bucket that holds no backups is not a data store of the audit
    # the queue's published port is not a database port
    from pytest_dbaudit.audit import Audit, Options
    from pytest_dbaudit.targets import REPO

    audit = Audit(Options(repo=tmp_path, rootdir=tmp_path, containers=False))
    result, _ = audit.run(audit.catalog.items["SE-09"], "static", REPO)
    assert not any("mq" in f.message for f in result.findings)
