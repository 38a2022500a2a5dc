"""``dbaudit lint-sql``: the SQL rules on files, outside pytest (pre-commit hooks, CI steps)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pytest_dbaudit.cli import main

SAMPLES = Path(__file__).parent / "data" / "sql" / "postgresql"
INDEX = SAMPLES / "require-concurrent-index-creation"


def test_flagged_file_fails_with_rule_and_line(capsys):
    assert main(["lint-sql", str(INDEX / "flagged.sql")]) == 1
    out = capsys.readouterr()
    assert f"{INDEX / 'flagged.sql'}:4: require-concurrent-index-creation [" in out.out
    assert "1 files: " in out.err


def test_clean_file_passes(capsys):
    assert main(["lint-sql", str(INDEX / "clean.sql")]) == 0
    assert "0 violations, 0 not checked" in capsys.readouterr().err


def test_folder_json_and_server_version(tmp_path, capsys):
    (tmp_path / "a.sql").write_text("ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.sql").write_text("CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c);\n")
    assert main(["lint-sql", "--format", "json", "--server-version", "10", str(tmp_path)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["files"] == 2
    by_path = {Path(r["path"]).name: {v["rule"] for v in r["violations"]} for r in doc["reports"]}
    assert "adding-field-with-default" in by_path["a.sql"]  # a constant default rewrites the table before 11
    assert main(["lint-sql", "--format", "json", "--server-version", "11", str(tmp_path / "a.sql")]) in (0, 1)
    doc = json.loads(capsys.readouterr().out)
    assert "adding-field-with-default" not in {v["rule"] for v in doc["reports"][0]["violations"]}


def test_unreadable_and_broken_files_are_not_checked_not_passed(tmp_path, capsys):
    (tmp_path / "bin.sql").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "broken.sql").write_text("CREATE TABLE (;\n")
    assert main(["lint-sql", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert "bin.sql: not checked (unreadable): UnicodeDecodeError" in out.out
    assert "broken.sql:1: not checked (syntax)" in out.out
    assert "2 not checked" in out.err
    assert main(["lint-sql", "--strict", str(tmp_path)]) == 1


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["lint-sql", str(tmp_path / "missing.sql")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["lint-sql", "--disable", "no-such-rule", str(INDEX / "clean.sql")]) == 2
    assert "no-such-rule" in capsys.readouterr().err
    assert main(["lint-sql", "--dialect", "oracle", str(INDEX / "clean.sql")]) == 2
    assert main(["lint-sql", "--server-version", "x.y", str(INDEX / "clean.sql")]) == 2


def test_console_script_runs_mysql(tmp_path):
    (tmp_path / "m.sql").write_text("ALTER TABLE t ADD COLUMN c int, ALGORITHM=COPY;\n")
    proc = subprocess.run([sys.executable, "-m", "pytest_dbaudit.cli", "lint-sql", "--dialect", "mariadb",
                           str(tmp_path / "m.sql")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert "m.sql:1:" in proc.stdout and "ALGORITHM=COPY" in proc.stdout


def test_nothing_to_lint_is_a_usage_error_and_paths_count_once(tmp_path, capsys):
    assert main(["lint-sql", str(tmp_path)]) == 2  # a mistyped CI path must not pass
    assert "no .sql files" in capsys.readouterr().err
    (tmp_path / "UP.SQL").write_bytes(b"\xef\xbb\xbfCREATE INDEX i ON t (c);\n")  # byte-order mark, upper-case suffix
    assert main(["lint-sql", str(tmp_path), str(tmp_path / "UP.SQL")]) == 1
    out = capsys.readouterr()
    assert out.out.count("require-concurrent-index-creation") == 1 and "1 files" in out.err


def test_password_literals_never_reach_the_output(tmp_path, capsys):
    (tmp_path / "roles.sql").write_text("CREATE ROLE app LOGIN PASSWORD 'Zq-S3cret';\n"
                                        "CREATE USER x WITH PASSWORD 'Zq-S3cret' garbage garbage;\n")
    (tmp_path / "my.sql").write_text("CREATE USER 'u'@'%' IDENTIFIED BY 'Zq-S3cret';\n")
    main(["lint-sql", "--format", "json", str(tmp_path / "roles.sql")])
    main(["lint-sql", "--dialect", "mariadb", "--format", "json", str(tmp_path / "my.sql")])
    main(["lint-sql", str(tmp_path / "roles.sql")])
    out = capsys.readouterr()
    assert "Zq-S3cret" not in out.out + out.err
    assert "PASSWORD '****'" in out.out  # the statement is still shown, its secret masked
