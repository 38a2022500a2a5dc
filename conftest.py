"""Test-suite configuration of the pytest-dbaudit repository itself.

* Tests that need the local PostgreSQL, the local MariaDB or a Docker engine ask for the
  ``postgres_admin_url`` / ``mariadb_admin_url`` / ``docker_images`` fixtures. When the service
  is missing they skip on a laptop, and fail when ``CI`` is set, so a green CI proves they ran.
* ``pytest --dbaudit`` without paths in this repository audits only (the repository itself or
  ``--dbaudit-repo``); it does not also run this test suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import pytest

PG_ADMIN = os.environ.get("DBAUDIT_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
MARIADB_ADMIN = os.environ.get("DBAUDIT_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test")
IMAGES = {
    "postgresql": os.environ.get("DBAUDIT_POSTGRES_IMAGE", "dbaudit/postgres:15"),
    "mariadb": os.environ.get("DBAUDIT_MARIADB_IMAGE", "dbaudit/mariadb:10.11"),
}


def pytest_ignore_collect(collection_path, config):
    if config.getoption("dbaudit", False) and config.args_source == pytest.Config.ArgsSource.TESTPATHS:
        return True
    return None


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI requires {what}, and it is not available", pytrace=False)
    pytest.skip(f"{what} is not available")


def _reachable(url: str) -> str | None:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
        return None
    except Exception as exc:  # pragma: no cover - environment dependent
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    problem = _reachable(PG_ADMIN)
    if problem:
        _missing(f"the local PostgreSQL at 127.0.0.1:5432 ({problem})")
    return PG_ADMIN


@pytest.fixture(scope="session")
def mariadb_admin_url() -> str:
    problem = _reachable(MARIADB_ADMIN)
    if problem:
        _missing(f"the local MariaDB at 127.0.0.1:3306 ({problem})")
    return MARIADB_ADMIN


@pytest.fixture(scope="session")
def docker_images() -> dict[str, str]:
    """The locally built database images, with a Docker engine that answers."""
    if not shutil.which("docker"):
        _missing("a Docker client")
    try:
        subprocess.run(["docker", "info"], check=True, capture_output=True, timeout=15)
    except Exception:
        _missing("a Docker engine (run .ci/docker-up)")
    for engine, image in IMAGES.items():
        res = subprocess.run(["docker", "image", "inspect", image], capture_output=True, timeout=15)
        if res.returncode != 0:
            _missing(f"the image {image} (build it with .ci/images/build)")
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    return dict(IMAGES)


def _scratch(admin_url: str, quote: str, drop_suffix: str):
    """A fresh database on a local server, dropped afterwards: ``(admin_engine, url, name)``."""
    import sqlalchemy as sa

    name = f"dbaudit_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {quote}{name}{quote}")
    try:
        yield admin, admin_url.rsplit("/", 1)[0] + f"/{name}", name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quote}{name}{quote}{drop_suffix}")
        admin.dispose()


@pytest.fixture
def scratch_pg(postgres_admin_url):
    yield from _scratch(postgres_admin_url, '"', " WITH (FORCE)")


@pytest.fixture
def scratch_mariadb(mariadb_admin_url):
    yield from _scratch(mariadb_admin_url, "`", "")
