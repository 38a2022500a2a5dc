"""Small pure pieces: EOL table, redaction, URL labels, catalog/config parsing helpers."""

import datetime as dt

import pytest

from pytest_dbaudit.eol import TABLE_DATE, support_of
from pytest_dbaudit.redact import redact, register_secret
from pytest_dbaudit.targets import driver_url, engine_of_url, live_target, safe_label

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize("engine,version,status", [
    ("postgresql", "9.6.24", "eol"), ("postgresql", "13.16", "eol"), ("postgresql", "14.15", "eol"),
    ("postgresql", "15.20", "supported"), ("postgresql", "18.1", "supported"), ("postgresql", "25.0", "unknown"),
    ("postgresql", "8.4", "eol"), ("mysql", "5.7.44", "eol"), ("mysql", "8.0.40", "eol"),
    ("mysql", "8.4.3", "supported"), ("mysql", "9.1.0", "eol"), ("mysql", "9.7.0", "supported"),
    ("mariadb", "10.6.20", "eol"), ("mariadb", "10.11.19", "supported"), ("mariadb", "11.4.4", "supported"),
    ("mariadb", "11.2.6", "eol"), ("sqlite", "3.40.1", "supported"), ("sqlite", "3.22.0", "eol"),
    ("sqlite", "3.37.2", "supported"), ("sqlite", "3.36.0", "eol"), ("oracle", "19.3", "unknown"),
])
def test_eol_table(engine, version, status):
    assert support_of(engine, version, today=TODAY).status == status


def test_eol_boundaries_are_inclusive_of_the_last_supported_day():
    assert support_of("postgresql", "14.1", today=dt.date(2026, 11, 12)).status == "supported"
    assert support_of("postgresql", "14.1", today=dt.date(2026, 11, 13)).status == "eol"
    assert TABLE_DATE <= dt.date.today()


@pytest.mark.parametrize("text,secret", [
    ("postgresql://app:hunter2@db:5432/shop", "hunter2"),
    ("mysql+pymysql://root:p@ss@w0rd@db/x and more", "p@ss@w0rd"),
    ("host=db password=s3cr3t user=x", "s3cr3t"),
    ("Password='quoted secret'; x", "quoted secret"),
    ("PWD=Zq9x7", "Zq9x7"),
    ("pa\u017f\u017fword=long-s-secret", "long-s-secret"),  # the pattern ignores case as Unicode does: so must its pre-check
])
def test_redact_urls_and_key_values(text, secret):
    out = redact(text)
    assert secret not in out and "****" in out


def test_registered_secrets_are_masked_anywhere():
    register_secret("Zebra-Horse-42")
    assert redact("error near 'Zebra-Horse-42' at line 1") == "error near '****' at line 1"


@pytest.mark.parametrize("url,label", [
    ("postgresql://app:pw@db:5432/shop", "postgresql://app@db:5432/shop"),
    ("postgresql://app:p@ss/w@db:5432/shop?sslmode=require", "postgresql://app@db:5432/shop"),
    ("mysql+pymysql://root@127.0.0.1:3306/test", "mysql+pymysql://root@127.0.0.1:3306/test"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_labels_never_carry_the_password(url, label):
    assert safe_label(url) == label
    assert live_target(url).label == label
    assert "pw" not in repr(live_target(url)) or "pw" in label


def test_driver_url_quotes_passwords_with_at_signs():
    assert driver_url("postgresql://a:x@y@h/db").endswith("a:x%40y@h/db")
    assert driver_url("mysql://root@h/db").startswith("mysql+pymysql://")
    assert driver_url("mariadb+pymysql://root@h/db").startswith("mysql+pymysql://")


def test_unsupported_scheme_is_a_clear_error():
    from pytest_dbaudit.errors import DbauditUsageError

    with pytest.raises(DbauditUsageError, match="unsupported URL scheme 'mongodb'"):
        engine_of_url("mongodb://x@h/db")


def test_sql_password_literals_are_masked_and_json_stays_json():
    """redact() runs over whole JSON reports: the word "password" before a JSON quote is not SQL."""
    import json

    doc = {"title": "No account uses a default, empty or well-known password", "section": "security",
           "statement": "CREATE ROLE app LOGIN PASSWORD 'Zq-S3cret'", "grant": "IDENTIFIED BY 'Zq-S3cret'"}
    text = redact(json.dumps(doc, indent=2))
    assert json.loads(text)["title"] == doc["title"]
    assert "Zq-S3cret" not in text and json.loads(text)["statement"] == "CREATE ROLE app LOGIN PASSWORD '****'"


def test_alembic_children_import_without_mako_pygments_and_leave_it_importable():
    """import_alembic() keeps Mako from loading Pygments' lexers; the project's code can still import them."""
    import subprocess
    import sys

    code = ("import sys\nfrom pytest_dbaudit.drills.alembic_env import import_alembic\nimport_alembic()\n"
            "import mako.exceptions as me\nprint(me.pygments_html_formatter is None, 'pygments' in sys.modules,"
            " 'alembic.command' in sys.modules)\n"
            "import importlib.util\nprint(importlib.util.find_spec('mako.ext.pygmentplugin') is not None)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False", "True", "True"]
