"""Collection: ids, markers, selection, and that the plugin is silent without --dbaudit."""

import subprocess
import sys

from conftest import write


def test_without_dbaudit_nothing_is_added_or_printed(pytester):
    pytester.makepyfile("def test_one():\n    assert True\n")
    result = pytester.runpytest_subprocess("-q")
    result.assert_outcomes(passed=1)
    assert "dbaudit" not in "\n".join(result.outlines)


def test_plugin_import_is_light():
    code = ("import sys, pytest_dbaudit.plugin; "
            "print(sorted(m for m in ('sqlalchemy', 'yaml', 'alembic', 'pathspec', 'testcontainers', 'docker') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_ids_markers_and_selection(pytester):
    write(pytester.path, {"db/schema.sql": "CREATE TABLE t (id int primary key);\n"})
    result = pytester.runpytest_subprocess(
        "--dbaudit", "--collect-only", "-q", "--dbaudit-db", "postgresql://app:Sup3rS3cret@db.example:5432/shop")
    lines = result.outlines
    assert "dbaudit/security::SE-11[repo]" in lines
    assert "dbaudit/technology::TV-03[postgresql://app@db.example:5432/shop]" in lines
    assert "dbaudit/targets::connect[postgresql://app@db.example:5432/shop]" in lines
    assert "dbaudit/migrations::MG-04[drill-postgresql]" in lines
    assert "dbaudit/backup::BR-01[attest]" in lines
    assert not any("Sup3rS3cret" in ln for ln in lines)
    n_all = sum(ln.startswith("dbaudit/") for ln in lines)
    assert n_all > 100

    sec = pytester.runpytest_subprocess("--dbaudit", "--collect-only", "-q", "-m", "dbaudit_security").outlines
    ids = [ln for ln in sec if ln.startswith("dbaudit/")]
    assert ids and all(ln.startswith("dbaudit/security::") for ln in ids)

    static = pytester.runpytest_subprocess("--dbaudit", "--collect-only", "-q", "-m", "dbaudit_static").outlines
    assert {ln for ln in static if ln.startswith("dbaudit/")} >= {"dbaudit/security::SE-11[repo]",
                                                                "dbaudit/migrations::MG-01[repo]"}
    assert not any("[attest]" in ln for ln in static)

    crit = pytester.runpytest_subprocess("--dbaudit", "--collect-only", "-q", "-m", "dbaudit_critical").outlines
    assert any(ln.startswith("dbaudit/") for ln in crit)

    k = pytester.runpytest_subprocess("--dbaudit", "--collect-only", "-q", "-k", "SE-11").outlines
    assert [ln for ln in k if ln.startswith("dbaudit/")] == ["dbaudit/security::SE-11[repo]"]


def test_dbaudit_only_deselects_the_rest(pytester):
    pytester.makepyfile("def test_unrelated():\n    assert True\n")
    result = pytester.runpytest_subprocess("--dbaudit", "--dbaudit-only", "--collect-only", "-q")
    assert not any("test_unrelated" in ln for ln in result.outlines)
    both = pytester.runpytest_subprocess("--dbaudit", "--collect-only", "-q")
    assert any("test_unrelated" in ln for ln in both.outlines)


def test_exitfirst_and_last_failed(pytester):
    write(pytester.path, {
        "app/settings.py": 'DATABASE_URL = "postgresql://app:LeakyPass99@db.prod.example:5432/shop"\n',
        "requirements.txt": "psycopg2\n",
    })
    first = pytester.runpytest_subprocess("--dbaudit", "-m", "dbaudit_static", "-q")
    assert first.ret == 1
    failed = [ln.split(" ")[1] for ln in first.outlines if ln.startswith("FAILED ")]
    assert "dbaudit/security::SE-11[repo]" in failed
    assert not any("LeakyPass99" in ln for ln in first.outlines)

    again = pytester.runpytest_subprocess("--dbaudit", "--lf", "-q", "-rA")
    ran = [ln.split(" ")[1] for ln in again.outlines if ln.startswith(("FAILED ", "PASSED "))]
    assert sorted(ran) == sorted(failed)

    x = pytester.runpytest_subprocess("--dbaudit", "-m", "dbaudit_static", "-x", "-q")
    assert "stopping after 1 failures" in "\n".join(x.outlines)


def test_marker_sections_match_the_catalog():
    """plugin.SECTIONS registers markers without loading the catalog; it must not drift from it."""
    from pytest_dbaudit.catalog import load_catalog
    from pytest_dbaudit.plugin import SECTIONS

    assert list(SECTIONS) == list(load_catalog().sections)
