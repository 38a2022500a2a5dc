"""Regions, replicas, log exports, authentication and ElastiCache in Terraform: a failing and a passing
fixture for HA-10, BR-09, MO-03, SE-04, and the ElastiCache / server-side parts of SE-05 and SE-06."""

from conftest import write

PROVIDERS = """
provider "aws" {
  region = "eu-west-1"
}
provider "aws" {
  alias  = "dr"
  region = "eu-central-1"
}
"""

BAD = PROVIDERS + """
resource "aws_db_instance" "orders" {
  engine         = "postgres"
  engine_version = "14.12"
  enabled_cloudwatch_logs_exports = ["upgrade"]
}

resource "aws_db_instance" "orders_reader" {
  replicate_source_db = aws_db_instance.orders.identifier
}

resource "aws_db_instance" "shop" {
  engine                 = "mysql"
  engine_version         = "8.0.39"
  parameter_group_name   = aws_db_parameter_group.shop.name
}

resource "aws_db_parameter_group" "shop" {
  family = "mysql8.0"
  parameter {
    name  = "require_secure_transport"
    value = "OFF"
  }
}

resource "google_sql_database_instance" "reports" {
  database_version = "POSTGRES_16"
  region           = "europe-west1"
  settings {
    tier = "db-custom-2-7680"
    backup_configuration {
      enabled  = true
      location = "europe-west1"
    }
  }
}

resource "azurerm_postgresql_flexible_server" "billing" {
  location = "westeurope"
  version  = "16"
}

resource "aws_elasticache_replication_group" "sessions" {
  engine                     = "redis"
  engine_version             = "7.1"
  at_rest_encryption_enabled = false
  transit_encryption_enabled = false
  auth_token                 = "n0t-a-real-token-but-secret"
}
"""

GOOD = PROVIDERS + """
resource "aws_db_instance" "orders" {
  engine                              = "postgres"
  engine_version                      = "16.4"
  enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]
  iam_database_authentication_enabled = true
  backup_retention_period             = 14
  storage_encrypted                   = true
}

resource "aws_db_instance" "orders_dr" {
  provider            = aws.dr
  replicate_source_db = aws_db_instance.orders.arn
  enabled_cloudwatch_logs_exports = ["postgresql"]
}

resource "aws_db_instance_automated_backups_replication" "orders" {
  provider               = aws.dr
  source_db_instance_arn = aws_db_instance.orders.arn
}

resource "aws_rds_global_cluster" "shop" {
  global_cluster_identifier = "shop"
  engine                    = "aurora-mysql"
}

resource "aws_rds_cluster" "shop_primary" {
  engine                          = "aurora-mysql"
  engine_version                  = "8.0.mysql_aurora.3.08.0"
  global_cluster_identifier       = aws_rds_global_cluster.shop.id
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.shop.name
  enabled_cloudwatch_logs_exports = ["audit", "error", "slowquery"]
  manage_master_user_password     = true
  storage_encrypted               = true
}

resource "aws_rds_cluster" "shop_secondary" {
  provider                        = aws.dr
  engine                          = "aurora-mysql"
  engine_version                  = "8.0.mysql_aurora.3.08.0"
  global_cluster_identifier       = aws_rds_global_cluster.shop.id
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.shop.name
  enabled_cloudwatch_logs_exports = ["slowquery"]
  manage_master_user_password     = true
  storage_encrypted               = true
}

resource "aws_rds_cluster_parameter_group" "shop" {
  family = "aurora-mysql8.0"
  parameter {
    name  = "require_secure_transport"
    value = "ON"
  }
}

resource "aws_elasticache_replication_group" "sessions" {
  engine                     = "redis"
  engine_version             = "7.1"
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
}
"""

GCP_AZURE_GOOD = """
resource "google_sql_database_instance" "reports" {
  database_version = "POSTGRES_16"
  region           = "europe-west1"
  settings {
    tier = "db-custom-2-7680"
    ip_configuration {
      ssl_mode = "ENCRYPTED_ONLY"
    }
    backup_configuration {
      enabled = true
    }
    database_flags {
      name  = "log_min_duration_statement"
      value = "500"
    }
    database_flags {
      name  = "cloudsql.iam_authentication"
      value = "on"
    }
  }
}

resource "google_sql_database_instance" "reports_dr" {
  database_version     = "POSTGRES_16"
  region               = "europe-west4"
  master_instance_name = google_sql_database_instance.reports.name
  settings {
    tier = "db-custom-2-7680"
    database_flags {
      name  = "log_min_duration_statement"
      value = "500"
    }
  }
}

resource "azurerm_postgresql_flexible_server" "billing" {
  location                     = "westeurope"
  version                      = "16"
  geo_redundant_backup_enabled = true
  authentication {
    active_directory_auth_enabled = true
  }
}

resource "azurerm_postgresql_flexible_server" "billing_dr" {
  location         = "northeurope"
  version          = "16"
  create_mode      = "Replica"
  source_server_id = azurerm_postgresql_flexible_server.billing.id
}

resource "azurerm_monitor_diagnostic_setting" "billing_dr" {
  name               = "billing-dr-logs"
  target_resource_id = azurerm_postgresql_flexible_server.billing_dr.id
  enabled_log {
    category = "PostgreSQLLogs"
  }
}

resource "azurerm_monitor_diagnostic_setting" "billing" {
  name               = "billing-logs"
  target_resource_id = azurerm_postgresql_flexible_server.billing.id
  enabled_log {
    category = "PostgreSQLLogs"
  }
}
"""

IDS = ("HA-10", "BR-09", "MO-03", "SE-04", "SE-05", "SE-06")


def run(pytester, audit, files):
    write(pytester.path, files)
    result = audit("--dbaudit-no-containers", "-k", " or ".join(IDS))
    return result, {i["id"]: sorted(f["message"] for f in i["findings"]) for i in result.json["items"]
                    if i["mode"] == "static"}


def test_failing_fixture(pytester, audit):
    result, msgs = run(pytester, audit, {"infra/main.tf": BAD})
    assert msgs["HA-10"] == [
        "aws_db_instance.orders: no replica outside eu-west-1; a regional outage leaves only backups",
        "aws_db_instance.shop: no replica outside eu-west-1; a regional outage leaves only backups",
        "azurerm_postgresql_flexible_server.billing: no replica outside westeurope; a regional outage leaves "
        "only backups",
        "google_sql_database_instance.reports: no replica outside europe-west1; a regional outage leaves only "
        "backups"]
    assert msgs["BR-09"] == [
        "aws_db_instance.orders: backups stay in the instance's region (eu-west-1)",
        "aws_db_instance.shop: backups stay in the instance's region (eu-west-1)",
        "azurerm_postgresql_flexible_server.billing: geo_redundant_backup_enabled is not true",
        "google_sql_database_instance.reports: backups pinned to the instance's own region europe-west1"]
    assert msgs["MO-03"] == [
        "aws_db_instance.orders: the postgresql log is not exported to CloudWatch Logs",
        "aws_db_instance.orders_reader: the postgresql log is not exported to CloudWatch Logs",
        "aws_db_instance.shop: the slowquery log is not exported to CloudWatch Logs",
        "azurerm_postgresql_flexible_server.billing: no azurerm_monitor_diagnostic_setting exports its logs",
        "google_sql_database_instance.reports: Cloud Logging receives no slow-query log"]
    assert len(msgs["SE-04"]) == 4 and all("static passwords" in m for m in msgs["SE-04"])
    assert msgs["SE-05"] == ["aws_db_instance.orders: storage_encrypted is not true",
                             "aws_db_instance.orders_reader: storage_encrypted is not true",
                             "aws_db_instance.shop: storage_encrypted is not true",
                             "aws_elasticache_replication_group.sessions: at_rest_encryption_enabled is not true"]
    assert msgs["SE-06"] == [
        "aws_db_instance.orders: the server accepts unencrypted connections (rds.force_ssl not set (default 0 on "
        "PostgreSQL 14))",
        "aws_db_instance.shop: the server accepts unencrypted connections (require_secure_transport = OFF)",
        "aws_elasticache_replication_group.sessions: the server accepts unencrypted connections "
        "(transit_encryption_enabled = False)",
        "google_sql_database_instance.reports: the server accepts unencrypted connections (ssl_mode = None)"]
    for iid in IDS:
        assert result.outcome(f"{iid}[repo]") == "fail", iid
    # The ElastiCache auth token is a secret: the inventory records only that it is set.
    assert "n0t-a-real-token" not in result.text
    assert "n0t-a-real-token" not in (pytester.path / "out" / "report.json").read_text()
    (sessions,) = [s for s in result.json["inventory"]["stores"] if s["name"].endswith("sessions")]
    assert sessions["kind"] == "cache" and sessions["settings"]["auth_token_set"] is True


def test_passing_fixture(pytester, audit):
    result, msgs = run(pytester, audit, {"infra/main.tf": GOOD, "gcp/main.tf": GCP_AZURE_GOOD})
    for iid in IDS:
        assert result.outcome(f"{iid}[repo]") == "pass", (iid, result.item(f"{iid}[repo]"))
    evidence = " | ".join(result.item("HA-10[repo]")["evidence"])
    assert "replica aws_db_instance.orders_dr in eu-central-1" in evidence
    assert "Aurora Global Database aws_rds_global_cluster.shop spans eu-central-1, eu-west-1" in evidence
    assert "replica google_sql_database_instance.reports_dr in europe-west4" in evidence
    assert "replica azurerm_postgresql_flexible_server.billing_dr in northeurope" in evidence
    assert any("backups copied to eu-central-1 (automated backups replication" in e for e in result.item("BR-09[repo]")["evidence"])


def test_regions_only_known_at_plan_time_are_unknown(pytester, audit):
    tf = """
provider "aws" {
  alias  = "dr"
  region = var.dr_region
}
resource "aws_db_instance" "orders" {
  engine = "postgres"
  region = "eu-west-1"
  iam_database_authentication_enabled = var.iam
}
resource "aws_db_instance" "orders_dr" {
  provider            = aws.dr
  replicate_source_db = aws_db_instance.orders.arn
}
"""
    result, _ = run(pytester, audit, {"main.tf": tf})
    assert result.outcome("HA-10[repo]") == "unknown"
    assert "aws_db_instance.orders_dr: region = var.dr_region" in result.item("HA-10[repo]")["reason"]
    assert result.outcome("SE-04[repo]") == "unknown"
    assert "iam_auth = var.iam" in result.item("SE-04[repo]")["reason"]


def test_self_hosted_backups_to_object_storage_need_an_attestation(pytester, audit):
    files = {"pgbackrest.conf": "[global]\nrepo1-type=s3\nrepo1-s3-bucket=backups\n",
             "postgresql.conf": "password_encryption = md5\n",
             "docker-compose.yml": "services:\n  db:\n    image: postgres:16.4\n    volumes: [pg:/var/lib/postgresql/data]\n"
                                   "volumes:\n  pg: {}\n"}
    result, msgs = run(pytester, audit, files)
    assert result.outcome("BR-09[repo]") == "unknown"
    assert "whether that bucket is in another region or account" in result.item("BR-09[repo]")["reason"]
    assert msgs["SE-04"] == ["weak password hashing: password_encryption = md5"]
