"""Infrastructure rules on Terraform and compose: each with a failing and a passing fixture."""

import pytest

from conftest import write

BAD_TF = """
resource "aws_db_instance" "orders" {
  engine                  = "postgres"
  engine_version          = "15.8"
  backup_retention_period = 1
  skip_final_snapshot     = true
  multi_az                = false
  storage_encrypted       = false
  publicly_accessible     = true
  allocated_storage       = 100
}

resource "google_sql_database_instance" "reports" {
  database_version = "POSTGRES_15"
  settings {
    tier              = "db-custom-2-7680"
    availability_type = "ZONAL"
    disk_autoresize   = false
  }
}
"""
GOOD_TF = """
variable "retention" { default = 14 }

resource "aws_db_instance" "orders" {
  engine                  = "postgres"
  engine_version          = "15.8"
  backup_retention_period = var.retention
  skip_final_snapshot     = false
  deletion_protection     = true
  multi_az                = true
  storage_encrypted       = true
  publicly_accessible     = false
  allocated_storage       = 100
  max_allocated_storage   = 500
  performance_insights_enabled = true
}

resource "google_sql_database_instance" "reports" {
  database_version = "POSTGRES_15"
  settings {
    tier              = "db-custom-2-7680"
    availability_type = "REGIONAL"
    backup_configuration {
      enabled = true
    }
  }
}

resource "aws_db_proxy" "orders" {
  name = "orders"
}
"""
PLAN_TIME_TF = """
resource "aws_db_instance" "orders" {
  engine                  = "postgres"
  backup_retention_period = data.aws_ssm_parameter.retention.value
  skip_final_snapshot     = false
  deletion_protection     = true
  multi_az                = var.ha
  storage_encrypted       = local.encrypt
  publicly_accessible     = var.public
  max_allocated_storage   = var.max_storage
}
"""
RULES = ["BR-03", "HA-07", "SE-05", "SE-09", "CA-07"]


def run_rules(pytester, audit, files, *ids):
    write(pytester.path, files)
    return audit("--dbaudit-no-containers", "-k", " or ".join(ids))


def test_failing_fixture(pytester, audit):
    run = run_rules(pytester, audit, {"infra/main.tf": BAD_TF}, *RULES, "SE-06", "AT-07", "MO-01")
    msgs = {i["id"]: [f["message"] for f in i["findings"]] for i in run.json["items"] if i["mode"] == "static"}
    assert msgs["BR-03"] == ["google_sql_database_instance.reports: automated backups are not enabled "
                             "(backup_configuration.enabled)",
                             "aws_db_instance.orders: backups are kept 1 day(s)",
                             "aws_db_instance.orders: skip_final_snapshot = true: deleting the instance deletes its data",
                             "aws_db_instance.orders: deletion_protection is not enabled"]
    assert msgs["HA-07"] == ["aws_db_instance.orders: multi_az = False",
                             "google_sql_database_instance.reports: availability_type = ZONAL"]
    assert msgs["SE-05"] == ["aws_db_instance.orders: storage_encrypted is not true"]
    assert msgs["SE-09"] == ["aws_db_instance.orders: publicly_accessible = true"]
    assert msgs["CA-07"] == ["aws_db_instance.orders: storage autoscaling is off (max_allocated_storage not set)",
                             "google_sql_database_instance.reports: disk_autoresize = false"]
    for iid in RULES:
        assert run.outcome(f"{iid}[repo]") == "fail", iid
        assert run.item(f"{iid}[repo]")["findings"][0]["location"].startswith("infra/main.tf:")
    assert run.outcome("AT-07[repo]") == "unknown" and run.outcome("MO-01[repo]") == "unknown"


def test_passing_fixture(pytester, audit):
    run = run_rules(pytester, audit, {"infra/main.tf": GOOD_TF}, *RULES, "AT-07", "MO-01")
    for iid in RULES + ["AT-07", "MO-01"]:
        assert run.outcome(f"{iid}[repo]") == "pass", (iid, run.item(f"{iid}[repo]"))
    assert any("aws_db_instance.orders (infra/main.tf:3): retention 14" in e for e in run.item("BR-03[repo]")["evidence"])


def test_plan_time_values_are_unknown_with_the_expression(pytester, audit):
    run = run_rules(pytester, audit, {"main.tf": PLAN_TIME_TF}, *RULES)
    reasons = {iid: run.item(f"{iid}[repo]")["reason"] for iid in RULES}
    for iid in RULES:
        assert run.outcome(f"{iid}[repo]") == "unknown", iid
    assert "aws_db_instance.orders.backup_retention_days = data.aws_ssm_parameter.retention.value" in reasons["BR-03"]
    assert "multi_az = var.ha" in reasons["HA-07"]
    assert "storage_encrypted = local.encrypt" in reasons["SE-05"]
    assert "publicly_accessible = var.public" in reasons["SE-09"]


def test_tfvars_decide_what_defaults_do_not(pytester, audit):
    files = {"main.tf": 'variable "days" {}\nresource "aws_db_instance" "x" {\n  engine = "postgres"\n'
                        '  backup_retention_period = var.days\n  deletion_protection = true\n}\n',
             "terraform.tfvars": "days = 3\n"}
    run = run_rules(pytester, audit, files, "BR-03")
    assert run.item("BR-03[repo]")["findings"][0]["message"] == "x: backups are kept 3 day(s)".replace("x:", "aws_db_instance.x:")


def test_compose_exposure_is_low_and_loopback_is_fine(pytester, audit):
    compose = "services:\n  db:\n    image: postgres:16.4\n    ports: ['5432:5432']\n  db2:\n    image: mysql:8.4.3\n" \
              "    ports: ['127.0.0.1:3306:3306']\n"
    run = run_rules(pytester, audit, {"docker-compose.yml": compose}, "SE-09")
    (finding,) = run.item("SE-09[repo]")["findings"]
    assert finding["message"] == "db: port 5432:5432 is published on every interface of the host"
    assert finding["severity"] == "Low"


@pytest.mark.parametrize("setting,outcome", [
    ('DATABASE_URL = "postgresql://app@db.prod.example:5432/shop?sslmode=verify-full"', "pass"),
    ('DATABASE_URL = "postgresql://app@db.prod.example:5432/shop?sslmode=require"', "fail"),
    ('DATABASE_URL = "postgresql://app@db.prod.example:5432/shop"', "fail"),
    ('conn = psycopg2.connect(host=HOST, sslmode="disable")', "fail"),
    ('url = "jdbc:mysql://db.prod.example:3306/shop?useSSL=false"', "fail"),
    ('DATABASE_URL = "postgresql://app@localhost:5432/shop"', "unknown"),  # loopback: nothing to decide
])
def test_client_tls(pytester, audit, setting, outcome):
    run = run_rules(pytester, audit, {"app/settings.py": setting + "\n", "requirements.txt": "psycopg2\n"}, "SE-06")
    assert run.outcome("SE-06[repo]") == outcome


def test_attestation_decides_only_what_the_program_cannot(pytester, audit):
    files = {"docker-compose.yml": "services:\n  db:\n    image: postgres:16.4\n    volumes: ['pg:/var/lib/postgresql/data']\n",
             "docs/backup.md": "# Backups\n",
             "dbaudit.yaml": "attestations:\n  - {id: BR-03, by: Ops, date: 2026-11-01, statement: 35-day PITR, "
                             "evidence: docs/backup.md}\n  - {id: SE-05, by: Ops, date: 2026-11-01, statement: x, "
                             "evidence: docs/backup.md}\n"}
    run = run_rules(pytester, audit, files, "BR-03")
    assert run.outcome("BR-03[repo]") == "pass"
    assert "decided by attestation" in " ".join(run.item("BR-03[repo]")["evidence"])
    # a program's fail is never overridden by an attestation
    write(pytester.path, {"infra/main.tf": BAD_TF})
    run = audit("--dbaudit-no-containers", "-k", "SE-05")
    assert run.outcome("SE-05[repo]") == "fail"


def test_version_parity_and_versions_from_every_source(pytester, audit):
    files = {"docker-compose.yml": "services:\n  db:\n    image: postgres:16.4\n",
             "infra/main.tf": 'resource "aws_db_instance" "prod" {\n  engine = "postgres"\n  engine_version = "13.12"\n}\n'
                              'resource "aws_db_instance" "next" {\n  engine = "postgres"\n  engine_version = var.v\n}\n'}
    run = run_rules(pytester, audit, files, "CF-05", "TV-03")
    (parity,) = run.item("CF-05[repo]")["findings"]
    assert parity["message"].startswith("postgresql runs different release series: compose db 16.4")
    assert parity["observed"] == ["13.0", "16.0"]
    (eol,) = run.item("TV-03[repo]")["findings"]
    assert eol["location"] == "infra/main.tf:1" and "postgresql 13 reached end of life on 2025-11-13" in eol["message"]
    assert "version is var.v" in " ".join(run.item("TV-03[repo]")["evidence"])

    write(pytester.path, {"infra/main.tf": 'resource "aws_db_instance" "prod" {\n  engine = "postgres"\n'
                                           '  engine_version = "16.3"\n}\n'})
    run = audit("--dbaudit-no-containers", "-k", "CF-05 or TV-03")
    assert run.outcome("CF-05[repo]") == "pass" and run.outcome("TV-03[repo]") == "pass"


def test_catalog_of_data_stores_against_the_inventory(pytester, audit):
    files = {"docker-compose.yml": "services:\n  db:\n    image: postgres:16.4\n  cache:\n    image: redis:7.2\n",
             "app/settings.py": 'URL = "postgresql://app@reports.internal:5432/reports"\n',
             "dbaudit.yaml": "data_stores:\n  - {name: db, engine: postgresql, owner: team, purpose: orders}\n"
                             "  - {name: old-mongo, engine: mongodb, owner: team}\n"
                             "  - {name: s3-backups, engine: s3, owner: ops, purpose: backups, external: true}\n"}
    run = run_rules(pytester, audit, files, "IN-02", "IN-04")
    assert [f["message"] for f in run.item("IN-02[repo]")["findings"]] == ["data_stores entry old-mongo has no purpose"]
    msgs = [f["message"] for f in run.item("IN-04[repo]")["findings"]]
    assert msgs == [
        "undocumented data store: cache (redis, found in compose, used by nothing found)",
        "undocumented data store: reports.internal/reports (postgresql, found in app-config, used by app/settings.py)",
        "catalogued data store old-mongo is declared nowhere in the repository (orphaned entry, or a store managed "
        "outside it)",
    ]
    write(pytester.path, {"dbaudit.yaml": "data_stores:\n  - {name: db, engine: postgresql, owner: t, purpose: p}\n"
                                          "  - {name: cache, engine: redis, owner: t, purpose: sessions}\n"
                                          "  - {name: 'reports.internal/*', engine: postgresql, owner: t, purpose: bi}\n"})
    run = audit("--dbaudit-no-containers", "-k", "IN-02 or IN-04")
    assert run.outcome("IN-02[repo]") == "pass" and run.outcome("IN-04[repo]") == "pass"


@pytest.mark.parametrize("files,outcome", [
    ({"docker-compose.yml": "services:\n  db:\n    image: postgres:16.4\n    command: postgres -c archive_mode=on "
      "-c archive_command='wal-g wal-push %p'\n  backup:\n    image: ghcr.io/wal-g/wal-g:v3.0.3\n"}, "pass"),
    ({"ops/backup.sh": "#!/bin/sh\npg_dump -Fc shop > /backups/shop.dump\n",
      "docker-compose.yml": "services:\n  db:\n    image: postgres:16.4\n"}, "fail"),
    ({"deploy/pgbackrest.conf": "[global]\nrepo1-path=/var/lib/pgbackrest\n",
      "docker-compose.yml": "services:\n  db:\n    image: postgres:16.4\n"}, "fail"),
    ({"main.tf": 'resource "aws_db_instance" "x" {\n  engine = "postgres"\n  backup_retention_period = 14\n}\n'}, "pass"),
    ({"k8s/db.yaml": "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: pg}\nspec:\n  instances: 2\n"
      "  backup: {barmanObjectStore: {destinationPath: 's3://b'}}\n"}, "pass"),
    ({"docker-compose.yml": "services:\n  db:\n    image: postgres:16.4\n"}, "unknown"),
])
def test_full_backups_plus_archiving(pytester, audit, files, outcome):
    run = run_rules(pytester, audit, files, "BR-02")
    assert run.outcome("BR-02[repo]") == outcome, run.item("BR-02[repo]")


@pytest.mark.parametrize("files,outcome,message", [
    ({"docker-compose.yml": "services:\n  db:\n    image: postgres:16.4\n    command: postgres -c log_min_duration_statement=250\n"},
     "pass", None),
    ({"docker-compose.yml": "services:\n  db:\n    image: postgres:16.4\n    command: postgres -c log_min_duration_statement=-1\n"},
     "fail", "log_min_duration_statement = -1: slow statements are not logged"),
    ({"conf/postgresql.conf": "log_min_duration_statement = 5s\n", "db/schema.sql": "select 1;\n"},
     "fail", "log_min_duration_statement = 5000 ms"),
    ({"mysql/my.cnf": "[mysqld]\nslow_query_log = 1\n", "db/schema.sql": "select 1;\n"}, "fail", "long_query_time = 10 s"),
    ({"mysql/my.cnf": "[mysqld]\nslow_query_log = ON\nlong_query_time = 0.5\n", "db/schema.sql": "select 1;\n"}, "pass", None),
    ({"main.tf": 'resource "aws_db_parameter_group" "pg" {\n  family = "postgres16"\n  parameter {\n'
                 '    name  = "log_min_duration_statement"\n    value = "500"\n  }\n}\n'
                 'resource "aws_db_instance" "x" {\n  engine = "postgres"\n}\n'}, "pass", None),
    ({"docker-compose.yml": "services:\n  db:\n    image: postgres:16.4\n"}, "unknown", None),
])
def test_slow_query_logging(pytester, audit, files, outcome, message):
    run = run_rules(pytester, audit, files, "PF-02")
    item = run.item("PF-02[repo]")
    assert item["outcome"] == outcome, item
    if message:
        assert item["findings"][0]["message"] == message


def test_app_connects_as_superuser(pytester, audit):
    compose = ("services:\n  db:\n    image: postgres:16.4\n    environment:\n      POSTGRES_USER: owner\n"
               "  api:\n    environment:\n      DATABASE_URL: postgresql://owner:${PW}@db:5432/app\n")
    files = {"docker-compose.yml": compose,
             "app/prod.py": 'URL = "postgresql://postgres@db.prod.example:5432/app"\n',
             "app/reports.py": 'URL = "postgresql://reporting@db.prod.example:5432/app"\n'}
    run = run_rules(pytester, audit, files, "SE-01")
    found = {(f["location"], f["message"], f.get("severity")) for f in run.item("SE-01[repo]")["findings"]}
    assert found == {
        ("docker-compose.yml:8", "dsn connection to db as owner, a superuser (compose service)", "Low"),
        ("app/prod.py:1", "dsn connection to db.prod.example as postgres, a superuser", None),
    }
    write(pytester.path, {"app/prod.py": 'URL = "postgresql://app_rw@db.prod.example:5432/app"\n',
                          "docker-compose.yml": compose.replace("owner:${PW}", "app:${PW}")})
    assert audit("--dbaudit-no-containers", "-k", "SE-01").outcome("SE-01[repo]") == "pass"


@pytest.mark.parametrize("files,outcome", [
    ({"deploy/patroni.yml": "scope: shop\n", "db/schema.sql": "select 1;\n"}, "pass"),
    ({"deploy/repmgr.conf": "node_id=1\nfailover=manual\n", "db/schema.sql": "select 1;\n"}, "fail"),
    ({"k8s/pg.yaml": "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: pg}\nspec:\n  instances: 1\n"}, "fail"),
    ({"k8s/pg.yaml": "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: pg}\nspec:\n  instances: 3\n"}, "pass"),
    ({"main.tf": 'resource "aws_db_instance" "x" {\n  engine = "postgres"\n  multi_az = true\n}\n'}, "pass"),
    ({"docker-compose.yml": "services:\n  db:\n    image: postgres:16.4\n"}, "unknown"),
])
def test_automatic_failover(pytester, audit, files, outcome):
    run = run_rules(pytester, audit, files, "HA-02")
    assert run.outcome("HA-02[repo]") == outcome, run.item("HA-02[repo]")


def test_alert_rules_cover_the_critical_signals(pytester, audit):
    rules = ("groups:\n  - name: pg\n    rules:\n      - alert: PostgresDown\n        expr: pg_up == 0\n"
             "      - alert: TooManyConnections\n        expr: pg_stat_activity_count > 180\n")
    run = run_rules(pytester, audit, {"monitoring/rules.yml": rules, "db/schema.sql": "select 1;\n"}, "MO-10")
    assert [f["message"] for f in run.item("MO-10[repo]")["findings"]] == [
        "no alert rule covers: replication lag", "no alert rule covers: disk filling"]
    rules += ("      - alert: PostgresReplicationLag\n        expr: pg_replication_lag_seconds > 30\n"
              "      - alert: PostgresDisk\n        expr: node_filesystem_avail_bytes < 1e9 and on() pg_up\n")
    write(pytester.path, {"monitoring/rules.yml": rules})
    assert audit("--dbaudit-no-containers", "-k", "MO-10").outcome("MO-10[repo]") == "pass"


def test_pool_budget_against_max_connections(pytester, audit):
    compose = ("services:\n  db:\n    image: postgres:16.4\n    command: postgres -c max_connections=50\n"
               "  api:\n    build: .\n    deploy:\n      replicas: 4\n    environment:\n"
               "      DATABASE_URL: postgresql://app:${PW}@db:5432/app\n")
    files = {"docker-compose.yml": compose,
             "app/db.py": "engine = create_engine(URL, pool_size=10, max_overflow=5)\n"}
    run = run_rules(pytester, audit, files, "PF-09")
    (f,) = run.item("PF-09[repo]")["findings"]
    assert f["message"] == ("db: 60 connections wanted (app/db.py: 15; x 4 replica(s)) against max_connections 50 "
                            "(docker-compose.yml:3) - 3 reserved")
    # the same apps behind PgBouncer: the server sees only the pooler's pool
    pooled = compose.replace("@db:5432", "@pgbouncer:6432") + (
        "  pgbouncer:\n    image: bitnami/pgbouncer:1.23.1\n    depends_on: [db]\n"
        "    environment:\n      PGBOUNCER_DEFAULT_POOL_SIZE: '40'\n")
    write(pytester.path, {"docker-compose.yml": pooled})
    run = audit("--dbaudit-no-containers", "-k", "PF-09")
    assert run.outcome("PF-09[repo]") == "pass"
    assert "pgbouncer: 1 x pool 40" in run.item("PF-09[repo]")["evidence"][0]


GCP_AZURE_BAD = """
resource "google_sql_database_instance" "reports" {
  database_version = "POSTGRES_15"
  settings {
    tier = "db-custom-2-7680"
    ip_configuration {
      ipv4_enabled = true
      authorized_networks {
        name  = "anywhere"
        value = "0.0.0.0/0"
      }
    }
  }
}

resource "azurerm_postgresql_flexible_server" "billing" {
  version               = "15"
  backup_retention_days = 3
}
"""
GCP_AZURE_GOOD = """
resource "google_sql_database_instance" "reports" {
  database_version = "POSTGRES_15"
  settings {
    tier = "db-custom-2-7680"
    ip_configuration {
      ipv4_enabled    = false
      private_network = "projects/p/global/networks/vpc"
    }
    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
      backup_retention_settings {
        retained_backups = 14
      }
    }
  }
}

resource "azurerm_postgresql_flexible_server" "billing" {
  version               = "15"
  delegated_subnet_id   = azurerm_subnet.db.id
  backup_retention_days = 14
}
"""


def test_cloud_sql_and_azure(pytester, audit):
    run = run_rules(pytester, audit, {"main.tf": GCP_AZURE_BAD}, "SE-09", "BR-03", "BR-02")
    assert sorted(f["message"] for f in run.item("SE-09[repo]")["findings"]) == [
        "azurerm_postgresql_flexible_server.billing: public network access is on (no delegated subnet)",
        "google_sql_database_instance.reports: public IP open to 0.0.0.0/0"]
    assert sorted(f["message"] for f in run.item("BR-03[repo]")["findings"]) == [
        "azurerm_postgresql_flexible_server.billing: backups are kept 3 day(s)",
        "google_sql_database_instance.reports: automated backups are not enabled (backup_configuration.enabled)"]
    write(pytester.path, {"main.tf": GCP_AZURE_GOOD})
    run = audit("--dbaudit-no-containers", "-k", "SE-09 or BR-03 or BR-02")
    for iid in ("SE-09", "BR-03", "BR-02"):
        assert run.outcome(f"{iid}[repo]") == "pass", run.item(f"{iid}[repo]")


def test_admin_access_and_replicas(pytester, audit):
    tf = ('resource "aws_security_group" "db" {\n  ingress {\n    from_port   = 5432\n    to_port     = 5432\n'
          '    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'
          'resource "aws_db_instance" "main" {\n  engine = "postgres"\n}\n'
          'resource "aws_db_instance" "replica" {\n  engine = "postgres"\n  replicate_source_db = aws_db_instance.main.identifier\n}\n')
    compose = "services:\n  adminer:\n    image: adminer:4.8.1\n    ports: ['8080:8080']\n  db:\n    image: postgres:16.4\n"
    run = run_rules(pytester, audit, {"main.tf": tf, "docker-compose.yml": compose}, "SE-10", "AT-03")
    msgs = sorted(f["message"] for f in run.item("SE-10[repo]")["findings"])
    assert msgs == ["adminer: database admin UI adminer:4.8.1 published on every host interface (8080:8080)",
                    "aws_security_group.db: port(s) [5432] open to 0.0.0.0/0"]
    assert run.outcome("AT-03[repo]") == "pass"
    assert "aws_db_instance.replica" in run.item("AT-03[repo]")["evidence"][0]
    write(pytester.path, {"main.tf": tf.replace('["0.0.0.0/0"]', '["10.0.0.0/16"]').split('resource "aws_db_instance" "replica"')[0],
                          "docker-compose.yml": compose.replace("'8080:8080'", "'127.0.0.1:8080:8080'")})
    run = audit("--dbaudit-no-containers", "-k", "SE-10 or AT-03")
    assert run.outcome("SE-10[repo]") == "pass" and run.outcome("AT-03[repo]") == "unknown"


def test_ephemeral_data_and_version_currency(pytester, audit):
    compose = ("services:\n  db:\n    image: postgres\n  old:\n    image: postgres:13.4\n    volumes: ['pg:/var/lib/postgresql/data']\n"
               "  maria:\n    image: mariadb:10.11\n    volumes: ['m:/var/lib/mysql']\n")
    k8s = ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: pg}\nspec:\n  template:\n    spec:\n"
           "      containers: [{name: pg, image: 'postgres:16.4'}]\n      volumes: [{name: data, emptyDir: {}}]\n")
    run = run_rules(pytester, audit, {"docker-compose.yml": compose, "k8s/pg.yaml": k8s}, "BR-03", "TV-02")
    eph = {(f["location"], f.get("severity")) for f in run.item("BR-03[repo]")["findings"]}
    assert eph == {("docker-compose.yml:3", "Low"), ("k8s/pg.yaml:1", None)}
    tv02 = sorted(f["message"] for f in run.item("TV-02[repo]")["findings"])
    assert tv02 == ["postgres: not pinned to a version; upgrades happen unreviewed",
                    "postgres:13.4: 5 major versions behind the newest in the table",
                    "postgres:16.4: 16.4 is behind the newest minor 16.16 (table of 2026-11-22)"]
    write(pytester.path, {"docker-compose.yml": "services:\n  maria:\n    image: mariadb:10.11\n"
                                                "    volumes: ['m:/var/lib/mysql']\n", "k8s/pg.yaml": ""})
    run = audit("--dbaudit-no-containers", "-k", "TV-02")
    item = run.item("TV-02[repo]")  # 10.11 is two LTS series behind: fine; a major-only tag follows its minors
    assert item["outcome"] == "pass" and any("follows the newest minor" in e for e in item["evidence"])
    write(pytester.path, {"docker-compose.yml": "services:\n  maria:\n    image: mariadb:11.4.5\n"
                                                "    volumes: ['m:/var/lib/mysql']\n"})
    item = audit("--dbaudit-no-containers", "-k", "TV-02").item("TV-02[repo]")  # 11.4's newest minor: not in the table
    assert item["outcome"] == "unknown" and "newest minor of this series is not in the table" in item["reason"]
