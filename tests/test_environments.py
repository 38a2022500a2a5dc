"""Environments: CF-05 compares one store's behaviour settings across environments and an application's
engines across its environment configs; DB_HOST-style env files are connections like DSNs."""

import pytest

from conftest import write

TF = """
resource "aws_db_instance" "orders" {{
  engine               = "postgres"
  engine_version       = "16.4"
  instance_class       = "{cls}"
  parameter_group_name = aws_db_parameter_group.orders.name
}}
resource "aws_db_parameter_group" "orders" {{
  family = "postgres16"
  parameter {{
    name  = "rds.force_ssl"
    value = "1"
  }}
  parameter {{
    name  = "timezone"
    value = "{tz}"
  }}
}}
"""


def cf05(pytester, audit, files):
    write(pytester.path, files)
    run = audit("--dbaudit-no-containers", "-k", "CF-05")
    return run, run.item("CF-05[repo]")


def test_behaviour_settings_differ_between_environments(pytester, audit):
    run, item = cf05(pytester, audit, {"envs/prod/main.tf": TF.format(cls="db.r6g.large", tz="UTC"),
                                       "envs/staging/main.tf": TF.format(cls="db.t4g.small", tz="Europe/Paris")})
    assert run.outcome("CF-05[repo]") == "fail"
    (f,) = item["findings"]
    assert f["message"] == ("aws_db_instance.orders: timezone differs between environments: production UTC "
                            "(envs/prod/main.tf:1), staging Europe/Paris (envs/staging/main.tf:1)")
    # Sizing may differ by design: shown, not judged.
    assert any("instance_class differs by design: production db.r6g.large, staging db.t4g.small" in e
               for e in item["evidence"])


def test_same_behaviour_in_every_environment_passes(pytester, audit):
    run, item = cf05(pytester, audit, {"envs/prod/main.tf": TF.format(cls="db.r6g.large", tz="UTC"),
                                       "envs/staging/main.tf": TF.format(cls="db.t4g.small", tz="UTC")})
    assert run.outcome("CF-05[repo]") == "pass", item
    assert any("aws_db_instance.orders: compared production, staging" in e for e in item["evidence"])


RAILS = """
default: &default
  pool: 5
development:
  adapter: {dev}
  database: db/development.sqlite3
test:
  adapter: sqlite3
  database: db/test.sqlite3
production:
  adapter: postgresql
  host: orders.internal
  database: orders
"""


@pytest.mark.parametrize("dev, outcome, severities", [
    ("sqlite3", "fail", [None]),  # development and test differ from production
    ("postgresql", "fail", ["Low"]),  # only the test environment differs: Low
])
def test_rails_environments_use_the_production_engine(pytester, audit, dev, outcome, severities):
    run, item = cf05(pytester, audit, {"config/database.yml": RAILS.format(dev=dev), "Gemfile": "gem 'pg'\n"})
    assert run.outcome("CF-05[repo]") == outcome
    assert [f.get("severity") for f in item["findings"]] == severities
    assert "production postgresql" in item["findings"][0]["message"]


def test_env_file_keys_are_connections(pytester, audit):
    env = ("DB_CONNECTION=pgsql\nDB_HOST=orders.cluster-abc.eu-west-1.rds.amazonaws.com\nDB_PORT=5432\n"
           "DB_DATABASE=orders\nDB_USERNAME=postgres\nDB_PASSWORD=Xk29fjq8Lmn2\n")
    write(pytester.path, {".env": env, ".env.example": "PGHOST=${PGHOST}\nPGUSER=postgres\n",
                          "requirements.txt": "psycopg2\n"})
    run = audit("--dbaudit-no-containers", "-k", "SE-01 or SE-06 or SE-11 or IN-04")
    msgs = {i["id"]: [f["message"] for f in i["findings"]] for i in run.json["items"] if i["mode"] == "static"}
    assert msgs["SE-01"] == ["env connection to orders.cluster-abc.eu-west-1.rds.amazonaws.com as postgres, "
                             "a superuser"]
    assert msgs["SE-06"] == ["postgresql host orders.cluster-abc.eu-west-1.rds.amazonaws.com:5432: sslmode not set "
                             "(prefer)"]
    assert msgs["SE-11"] == ["password assigned a literal value: DB_PASSWORD=****"]
    assert any("orders.cluster-abc.eu-west-1.rds.amazonaws.com/orders" in m for m in msgs["IN-04"])
    assert "Xk29fjq8Lmn2" not in run.text and "Xk29fjq8Lmn2" not in (pytester.path / "out" / "report.json").read_text()
    # With verify-full beside the host, the same connection passes SE-06.
    write(pytester.path, {".env": env + "DB_SSLMODE=verify-full\n"})
    assert audit("--dbaudit-no-containers", "-k", "SE-06").outcome("SE-06[repo]") == "pass"
