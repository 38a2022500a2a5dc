"""Bitnami Helm values as an inventory source, and PF-09's worst case: HPA maxReplicas, Django workers."""

import pytest

from conftest import write
from pytest_dbaudit.sources.inventory import inventory_of
from pytest_dbaudit.sources.walk import Repository

CHART = """
apiVersion: v2
name: shop
version: 1.4.0
dependencies:
  - name: postgresql
    version: 15.5.38
    repository: oci://registry-1.docker.io/bitnamicharts
    condition: postgresql.enabled
  - name: redis
    alias: cache
    version: 19.6.4
    repository: oci://registry-1.docker.io/bitnamicharts
"""
VALUES = """
replicaCount: 2
postgresql:
  image:
    tag: 16.4.0-debian-12-r0
  auth:
    existingSecret: shop-db
cache:
  architecture: standalone
"""
VALUES_PROD = """
postgresql:
  image:
    tag: 16.6.0-debian-12-r2
  architecture: replication
  readReplicas:
    replicaCount: 2
  primary:
    persistence:
      size: 200Gi
"""
UMBRELLA = {"deploy/shop/Chart.yaml": CHART, "deploy/shop/values.yaml": VALUES,
            "deploy/shop/values-prod.yaml": VALUES_PROD,
            "deploy/shop/values-dev.yaml": "postgresql:\n  enabled: false\n",
            # the vendored dependency: its defaults are the parent's to override, not a store of their own
            "deploy/shop/charts/postgresql/Chart.yaml": "apiVersion: v2\nname: postgresql\nversion: 15.5.38\n",
            "deploy/shop/charts/postgresql/values.yaml": "image:\n  tag: 16.3.0\n"}


def run_rules(pytester, audit, files, *ids):
    write(pytester.path, files)
    return audit("--dbaudit-no-containers", "-k", " or ".join(ids))


def test_umbrella_chart_gives_one_store_per_environment(pytester, audit):
    run = run_rules(pytester, audit, UMBRELLA, "TV-03")
    stores = {s["name"]: s for s in run.json["inventory"]["stores"] if s["engine"] == "postgresql"}
    assert set(stores) == {"helm:deploy/shop/postgresql", "helm:deploy/shop/postgresql@prod"}  # dev: disabled
    base, prod = stores["helm:deploy/shop/postgresql"], stores["helm:deploy/shop/postgresql@prod"]
    assert (base["version"], base["source"], base["declared"]) == \
           ("16.4.0", "helm", ["deploy/shop/values.yaml:2", "deploy/shop/Chart.yaml:5"])
    assert (prod["version"], prod["declared"][0]) == ("16.6.0", "deploy/shop/values-prod.yaml:1")
    assert prod["settings"]["environment"] == "prod" and "environment" not in base["settings"]
    for store in (base, prod):
        assert store["settings"]["chart_version"] == "15.5.38"  # the chart's version, not the engine's
        assert store["settings"]["persistent_volume"] is True and store["settings"]["ephemeral_data"] is False
    assert (base["settings"]["read_replicas"], prod["settings"]["read_replicas"]) == (0, 2)
    assert prod["settings"]["replicas"] == 3
    cache = {s["name"]: s for s in run.json["inventory"]["stores"] if s["engine"] == "redis"}
    assert cache["helm:deploy/shop/cache"]["unknown"] == {"engine_version": "the default image tag of chart redis 19.6.4"}
    assert run.outcome("TV-03[repo]") == "pass"
    evidence = " ".join(run.item("TV-03[repo]")["evidence"])
    assert "deploy/shop/values.yaml:2: docker.io/bitnami/postgresql:16.4.0-debian-12-r0" in evidence
    assert "deploy/shop/values-prod.yaml:1: docker.io/bitnami/postgresql:16.6.0-debian-12-r2" in evidence


def test_chart_without_persistence_is_ephemeral_and_metrics_feed_monitoring(pytester, audit):
    files = {"db/Chart.yaml": "apiVersion: v2\nname: postgresql\nversion: 15.5.38\n",
             "db/values.yaml": "image:\n  tag: 16.4.0\nprimary:\n  persistence:\n    enabled: false\n"
                               "metrics:\n  enabled: true\n"}
    run = run_rules(pytester, audit, files, "BR-03", "MO-01")
    (finding,) = run.item("BR-03[repo]")["findings"]
    assert finding["message"] == ("helm:db/postgresql: the data lives in the container (emptyDir): removing it "
                                  "removes the database")
    assert finding["location"] == "db/values.yaml:1" and "severity" not in finding
    assert run.outcome("MO-01[repo]") == "pass"
    assert run.item("MO-01[repo]")["evidence"] == ["exporter db/values.yaml:7 (bitnami postgresql chart, metrics.enabled)"]

    write(pytester.path, {"db/values.yaml": "image:\n  tag: 16.4.0\nmetrics:\n  enabled: false\n"})
    run = audit("--dbaudit-no-containers", "-k", "BR-03 or MO-01")
    assert run.outcome("BR-03[repo]") == "unknown"
    assert run.json["inventory"]["exporters"] == [] and run.outcome("MO-01[repo]") in ("unknown", "fail")


def test_template_expressions_are_unknown_and_app_settings_are_not_charts(tmp_path):
    write(tmp_path, {
        "ops/db/values.yaml": """
            mysql:
              architecture: replication
              image:
                tag: "{{ .Values.global.mysqlTag }}"
              primary:
                persistence:
                  enabled: ${PERSIST}
              secondary:
                replicaCount: ${replica_count}
            """,
        # an application's own connection settings under a `postgresql:` key: not a chart's values
        "app/values.yaml": "postgresql:\n  host: db.internal\n  port: 5432\n",
    })
    (store,) = inventory_of(Repository(tmp_path)).stores
    assert (store.name, store.engine, store.version, store.declared) == \
           ("helm:ops/db/mysql", "mysql", None, ["ops/db/values.yaml:1"])
    assert store.unknown == {"engine_version": "{{ .Values.global.mysqlTag }}", "persistent_volume": "${PERSIST}",
                             "read_replicas": "${replica_count}"}
    assert "persistent_volume" not in store.settings and "ephemeral_data" not in store.settings


def test_malformed_values_file_is_an_error_note_not_a_crash(pytester, audit):
    files = dict(UMBRELLA, **{"deploy/shop/values-prod.yaml": "postgresql:\n  image: [unclosed\n"})
    run = run_rules(pytester, audit, files, "BR-03", "MO-01")
    errors = run.json["inventory"]["errors"]
    assert [e for e in errors if e.startswith("deploy/shop/values-prod.yaml: could not parse")], errors
    names = {s["name"] for s in run.json["inventory"]["stores"]}
    assert "helm:deploy/shop/postgresql" in names and "helm:deploy/shop/postgresql@prod" not in names
    assert run.outcome("BR-03[repo]") == "unknown" and run.outcome("MO-01[repo]") != "error"
    assert any("values-prod.yaml: could not parse" in e for e in run.item("BR-03[repo]")["evidence"])


SECRET = "Xq7-s3cret-Helm"


def test_literal_chart_password_is_flagged_and_never_reported(pytester, audit, tmp_path):
    values = (f"postgresql:\n  auth:\n    username: shop\n    postgresPassword: {SECRET}\n    password: \"\"\n"
              "    existingSecret: shop-db\n  primary:\n    persistence:\n      enabled: true\n"
              "mysql:\n  auth:\n    rootPassword: \"{{ .Values.global.mysqlRoot }}\"\n  architecture: standalone\n")
    run = run_rules(pytester, audit, {"deploy/values-prod.yaml": values}, "SE-11", "SE-07")
    findings = run.item("SE-11[repo]")["findings"]
    assert [(f["message"], f["location"]) for f in findings] == [
        ("password assigned a literal value: postgresPassword:****", "deploy/values-prod.yaml:4")]
    assert run.outcome("SE-07[repo]") == "pass"
    assert {s["name"] for s in run.json["inventory"]["stores"]} == {"helm:deploy/postgresql@prod",
                                                                   "helm:deploy/mysql@prod"}
    for out in ("report.json", "junit.xml"):
        assert SECRET not in (pytester.path / "out" / out).read_text()
    assert SECRET not in run.text
    write(tmp_path, {"deploy/values-prod.yaml": values})  # the model itself never holds it
    assert SECRET not in repr(inventory_of(Repository(tmp_path)).to_dict())


K8S_APP = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: pg}
spec:
  template:
    spec:
      containers:
        - name: pg
          image: postgres:16.4
  volumeClaimTemplates: [{metadata: {name: data}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: api
          image: example/api:1.2
          env: [{name: DATABASE_URL, value: 'postgresql://app@pg:5432/app'}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 2
  maxReplicas: 20
"""


def test_pool_budget_counts_the_autoscaler_maximum(pytester, audit):
    files = {"k8s/app.yaml": K8S_APP, "app/db.py": "engine = create_engine(URL, pool_size=5, max_overflow=3)\n"}
    run = run_rules(pytester, audit, files, "PF-09")
    (f,) = run.item("PF-09[repo]")["findings"]
    assert f["message"] == ("StatefulSet/pg: 160 connections wanted (app/db.py: 8; x 20 replica(s) (HPA maxReplicas)) "
                            "against max_connections 100 (default) - 3 reserved")
    write(pytester.path, {"k8s/app.yaml": K8S_APP.replace("maxReplicas: 20", "maxReplicas: 10")})
    run = audit("--dbaudit-no-containers", "-k", "PF-09")
    assert run.outcome("PF-09[repo]") == "pass"
    assert "x 10 replica(s) (HPA maxReplicas)" in run.item("PF-09[repo]")["evidence"][0]


DJANGO_COMPOSE = """
services:
  db:
    image: postgres:16.4
    command: postgres -c max_connections=60
  web:
    build: .
    command: gunicorn shop.wsgi --workers 5 --threads 4
    depends_on: [db]
    deploy:
      replicas: 3
"""
DJANGO_SETTINGS = """
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "db",
        "NAME": "shop",
        "CONN_MAX_AGE": 600,
    }
}
"""


@pytest.mark.parametrize("change,outcome,evidence", [
    ({}, "fail", None),
    ({"docker-compose.yml": DJANGO_COMPOSE.replace("--workers 5", "--workers $WEB_WORKERS")}, "unknown",
     "shop/settings.py:6: Django CONN_MAX_AGE=600 keeps one connection open per worker thread, but the worker "
     "count is unknown (not literal)"),
    ({"docker-compose.yml": DJANGO_COMPOSE.replace("    command: gunicorn shop.wsgi --workers 5 --threads 4\n", ""),
      "Procfile": "web: gunicorn shop.wsgi --log-file -\n",
      "shop/settings.py": DJANGO_SETTINGS.replace("600", "None")}, "pass",
     "db: 3 connections wanted (shop/settings.py:6: 1 (Django CONN_MAX_AGE=None: 1 gunicorn worker(s) (default) "
     "x 1 thread(s) (default)); x 3 replica(s))"),
    ({"shop/settings.py": DJANGO_SETTINGS.replace("600", "0")}, "unknown", None),  # closed after each request
])
def test_pool_budget_of_django_persistent_connections(pytester, audit, change, outcome, evidence):
    files = dict({"docker-compose.yml": DJANGO_COMPOSE, "shop/settings.py": DJANGO_SETTINGS}, **change)
    run = run_rules(pytester, audit, files, "PF-09")
    item = run.item("PF-09[repo]")
    assert item["outcome"] == outcome, item
    if outcome == "fail":
        assert item["findings"][0]["message"] == (
            "db: 60 connections wanted (shop/settings.py:6: 20 (Django CONN_MAX_AGE=600: 5 gunicorn worker(s) "
            "x 4 thread(s)); x 3 replica(s)) against max_connections 60 (docker-compose.yml:3) - 3 reserved")
    if evidence:
        assert any(evidence in e for e in item["evidence"]), item["evidence"]
