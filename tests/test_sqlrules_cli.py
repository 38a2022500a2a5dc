"""``dbaudit lint-sql``: the SQL rules on files, outside pytest (pre-commit hooks, CI steps)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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


def _migrations(folder: Path, count: int) -> None:
    """``count`` files of different sizes, clean and flagged ones, one with a syntax error."""
    for i in range(count):
        body = [f"CREATE TABLE t{i} (id bigint PRIMARY KEY, name varchar(20));"]
        body += [f"ALTER TABLE t{i % 7} ADD COLUMN c{j} int NOT NULL DEFAULT {j};" for j in range(i % 5)]
        if i % 3 == 0:
            body.append(f"CREATE INDEX ix{i} ON t{i % 7} (name);")
        if i == 17:
            body.append("ALTER TABLE oops ADD COLUMN;")
        (folder / f"{i:03d}_m.sql").write_text("\n".join(body) + "\n")


def _run(*args: str) -> subprocess.CompletedProcess:
    return _python("-m", "pytest_dbaudit.cli", "lint-sql", *args)


def _python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120)


def test_parallel_workers_give_the_same_report_in_the_same_order(tmp_path):
    _migrations(tmp_path, 80)
    one = _run("--format", "json", "--jobs", "1", str(tmp_path))
    three = _run("--format", "json", "--jobs", "3", str(tmp_path))
    auto = _run("--format", "json", str(tmp_path))
    assert one.returncode == three.returncode == auto.returncode == 1, one.stderr + three.stderr
    report = json.loads(one.stdout)
    assert report["files"] == 80 and report["violations"] > 80 and report["unchecked"] == 1
    assert [r["path"] for r in report["reports"]] == sorted(str(p) for p in tmp_path.glob("*.sql"))
    assert three.stdout == one.stdout and auto.stdout == one.stdout
    assert _run("--jobs", "3", str(tmp_path)).stdout == _run("--jobs", "1", str(tmp_path)).stdout


def test_a_failing_worker_share_is_redone_in_the_parent(tmp_path):
    # fn fails only in forked workers: every result must still come back, in order, from the parent
    script = ("import os, sys\n"
              "from pytest_dbaudit.sqlrules.workers import map_forked\n"
              "parent = os.getpid()\n"
              "def fn(x):\n"
              "    if os.getpid() != parent and x % 2:\n"
              "        raise RuntimeError('worker failed')\n"
              "    return (x * x, os.getpid() == parent)\n"
              "out = map_forked(fn, list(range(50)), 3)\n"
              "assert [v for v, _ in out] == [x * x for x in range(50)], out\n"
              "print(sum(here for _, here in out))\n"
              "fine = map_forked(lambda x: (x, os.getpid() == parent), list(range(50)), 3)\n"
              "assert [v for v, _ in fine] == list(range(50))\n"
              "print(sum(here for _, here in fine))\n")
    proc = _python("-c", script)
    assert proc.returncode == 0, proc.stderr
    # both workers failed: all 50 computed here; then they work: only the parent's own share (17) is
    assert proc.stdout.split() == ["50", "17"]


def test_jobs_must_be_a_count(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["lint-sql", "--jobs", "-1", str(INDEX / "clean.sql")])
    assert exc.value.code == 2 and "not a whole number" in capsys.readouterr().err


def test_the_command_never_builds_pglast_node_classes_and_they_still_load_on_use(tmp_path):
    (tmp_path / "a.sql").write_text("CREATE INDEX i ON t (c);\n")
    script = ("import sys\n"
              "from pytest_dbaudit.cli import main\n"
              f"code = main(['lint-sql', {str(tmp_path)!r}])\n"
              "print(type(sys.modules['pglast.ast']).__name__, 'SelectStmt' in vars(sys.modules['pglast.ast']))\n"
              "import pglast\n"
              "from pglast.enums import *\n"
              "print(type(pglast.parse_sql('SELECT 1')[0].stmt).__name__, ConstrType.CONSTR_NOTNULL.name)\n"
              "print(type(sys.modules['pglast.ast']).__name__)\n"
              "sys.exit(code)\n")
    proc = _python("-c", script)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[-3:] == ["_Deferred False", "SelectStmt CONSTR_NOTNULL", "module"]
