"""Many databases, many servers, and a server that goes away: on a throwaway PostgreSQL container.

The container is ours alone, so it can hold a known set of databases, use password
authentication (the shared local server trusts everyone), and be stopped in the middle of a run.
"""

from __future__ import annotations

import json
import subprocess

import pytest
import sqlalchemy as sa

PASSWORD = "Fl33t-Pa55:w@rd"
pytestmark = pytest.mark.needs_docker


@pytest.fixture(scope="module")
def pg_container(docker_images):
    from testcontainers.postgres import PostgresContainer

    container = PostgresContainer(docker_images["postgresql"], username="fleet", password=PASSWORD, dbname="fleet",
                                  driver=None)
    container.with_kwargs(labels={"dbaudit.test": "fleet"})
    container.start()
    try:
        host, port = "127.0.0.1", container.get_exposed_port(5432)
        admin = sa.create_engine(f"postgresql+psycopg2://fleet:{PASSWORD.replace('@', '%40')}@{host}:{port}/fleet",
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for db in ("shop", "billing"):
                conn.exec_driver_sql(f"CREATE DATABASE {db}")
        for db, ddl in (("shop", "CREATE TABLE orders (id bigint PRIMARY KEY, note text)"),
                        ("billing", "CREATE TABLE invoices (amount float, customer_id int)")):
            eng = sa.create_engine(f"postgresql+psycopg2://fleet:{PASSWORD.replace('@', '%40')}@{host}:{port}/{db}")
            with eng.begin() as conn:
                conn.exec_driver_sql(ddl)
            eng.dispose()
        admin.dispose()
        yield container, f"postgresql://fleet:{PASSWORD}@{host}:{port}"
    finally:
        container.stop()


@pytest.fixture(scope="module")
def maria_container(docker_images):
    """A MariaDB of this module alone: server-wide verdicts (users, sessions, locks) on the shared local server
    change while other tests run, which would make two runs differ for reasons that are not xdist's."""
    from testcontainers.mysql import MySqlContainer

    container = MySqlContainer(docker_images["mariadb"], username="fleet", password=PASSWORD, root_password=PASSWORD,
                               dbname="shop", dialect="pymysql")
    container.with_kwargs(labels={"dbaudit.test": "fleet"})
    container.start()
    try:
        yield f"mysql://root:{PASSWORD}@127.0.0.1:{container.get_exposed_port(3306)}/shop"
    finally:
        container.stop()


def _outcomes(run) -> dict[str, str]:
    return {i["nodeid"]: i["outcome"] for i in run.json["items"] if i["mode"] == "live"}


def test_all_databases_of_a_server_from_an_inventory(pg_container, audit, pytester, monkeypatch):
    _, base = pg_container
    monkeypatch.setenv("FLEET_PG_URL", f"{base}/fleet")
    pytester.makefile(".yaml", dbaudit="targets:\n  - {name: main, url_env: FLEET_PG_URL, databases: all}\n")
    run = audit("-m", "dbaudit_live", "-k", "SD-03")
    labels = sorted(i["target"] for i in run.json["items"] if i["id"] == "SD-03" and i["mode"] == "live")
    assert [lb.rsplit("/", 1)[1] for lb in labels] == ["billing", "fleet", "postgres", "shop"], labels
    by_db = {i["target"].rsplit("/", 1)[1]: i for i in run.json["items"] if i["id"] == "SD-03"}
    assert by_db["billing"]["outcome"] == "fail" and by_db["shop"]["outcome"] == "pass"
    assert "invoices has no primary key" in by_db["billing"]["findings"][0]["message"]
    assert PASSWORD not in run.text and PASSWORD not in json.dumps(run.json)


def test_wrong_password_is_one_message_without_the_password(pg_container, audit):
    _, base = pg_container
    run = audit(f"--dbaudit-db={base.replace(PASSWORD, 'N0t-The@One')}/shop", "-m", "dbaudit_live")
    live = [i for i in run.json["items"] if i["mode"] == "live"]
    assert live and {i["outcome"] for i in live} == {"unknown"}
    reasons = {i["reason"] for i in live}
    assert len(reasons) == 1 and "password authentication failed" in reasons.pop()
    assert "N0t-The" not in run.text and "N0t-The" not in json.dumps(run.json)


def test_xdist_gives_the_same_verdicts_as_a_serial_run(pg_container, maria_container, audit):
    _, base = pg_container
    targets = [f"--dbaudit-db={base}/shop", f"--dbaudit-db={maria_container}"]
    serial = audit(*targets, "-m", "dbaudit_live", "-p", "no:xdist")
    parallel = audit(*targets, "-m", "dbaudit_live", "-n", "2")
    a, b = _outcomes(serial), _outcomes(parallel)
    assert a and a == b, {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
    for engine in ("postgresql://", "mysql://"):  # both servers answered and were judged
        assert {"pass", "fail"} <= {o for k, o in a.items() if engine in k}, engine
    assert serial.json["levels"] == parallel.json["levels"]


STOPPER = """
import subprocess
_seen = []

def pytest_runtest_logfinish(nodeid, location):
    if "dbaudit" in nodeid and "[postgresql" in nodeid:
        _seen.append(nodeid)
        if len(_seen) == 12:
            subprocess.run(["docker", "stop", "-t", "0", "{cid}"], check=True, capture_output=True)
"""


def test_server_stopped_mid_run_leaves_the_rest_unknown_and_the_run_completes(docker_images, audit, pytester):
    from testcontainers.postgres import PostgresContainer

    container = PostgresContainer(docker_images["postgresql"], username="gone", password=PASSWORD, dbname="gone",
                                  driver=None)
    container.with_kwargs(labels={"dbaudit.test": "stop"})
    container.start()
    try:
        cid = container.get_wrapped_container().id
        url = f"postgresql://gone:{PASSWORD}@127.0.0.1:{container.get_exposed_port(5432)}/gone"
        pytester.makeconftest(STOPPER.replace("{cid}", cid))
        run = audit(f"--dbaudit-db={url}", "-m", "dbaudit_live", "-p", "no:randomly")
    finally:
        subprocess.run(["docker", "rm", "-f", container.get_wrapped_container().id], capture_output=True)
    assert run.result.ret in (0, 1), run.text[-3000:]  # tests ran to the end; no internal error
    live = [i for i in run.json["items"] if i["mode"] == "live"]
    decided = [i for i in live if i["outcome"] in ("pass", "fail")]
    gone = [i for i in live if i["outcome"] == "unknown" and ("lost" in i["reason"] or "unavailable" in i["reason"])]
    assert len(decided) <= 12, len(decided)  # only what ran before the stop has a verdict
    assert len(gone) >= len(live) - 12 - sum(i["outcome"] == "not-applicable" for i in live), len(gone)
    assert PASSWORD not in run.text
