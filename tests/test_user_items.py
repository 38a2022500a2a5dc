"""Users' own tests and catalog items count toward maturity; the fixtures give them the models."""

import sqlite3

from conftest import write


def test_marked_user_test_caps_its_section(pytester, audit):
    write(pytester.path, {
        "db/schema.sql": "create table t (id int primary key);\n",
        "test_team.py": """
            import pytest

            @pytest.mark.dbaudit(id="TEAM-1", section="security", level=2, severity="High", title="No shared admin")
            def test_no_shared_admin_account():
                assert False, "the admin account is shared by three services"

            @pytest.mark.dbaudit(id="TEAM-2", section="backup", level=3)
            def test_backup_bucket_versioned():
                pass

            def test_unmarked():
                pass
        """,
    })
    run = audit("-k", "TEAM or SE-11 or BR-01 or unmarked")
    team1 = run.item("test_no_shared_admin_account")
    assert team1["outcome"] == "fail" and team1["id"] == "TEAM-1" and team1["custom"] is True
    assert "admin account is shared" in team1["reason"]
    assert run.item("test_backup_bucket_versioned")["outcome"] == "pass"
    assert not [i for i in run.json["items"] if "unmarked" in i["nodeid"]]
    assert run.level("security") == 1
    assert "TEAM-1" in run.json["levels"]["sections"]["security"]["capped_by"]
    assert run.json["levels"]["sections"]["backup"]["capped_by"] == ["BR-01"]


def test_fixtures_and_declarative_sql_item(pytester, audit, tmp_path):
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE users (id integer primary key, email text)")
        conn.execute("INSERT INTO users (email) VALUES ('a@example.com'), (NULL)")
    write(pytester.path, {
        "db/schema.sql": "create table users (id int primary key);\n",
        "audit/rules.yaml": """
            section: schema
            items:
              - id: ACME-7
                title: Every user has an email address
                severity: Medium
                level: 3
                modes: [live]
                rationale: Password resets need it.
                remediation: Backfill and add NOT NULL.
                sql:
                  sqlite: "SELECT 'users.id=' || id AS object, 'email is null' AS problem FROM users WHERE email IS NULL"
        """,
        "dbaudit.yaml": "catalog: [audit/rules.yaml]\n",
        "test_fixtures.py": """
            def test_models(dbaudit_repo, dbaudit_stack, dbaudit_databases, dbaudit_throwaway):
                assert "db/schema.sql" in dbaudit_repo.files
                assert dbaudit_stack.db_signal
                (db,) = dbaudit_databases
                assert db.flavor == "sqlite" and db.scalar("SELECT count(*) FROM users") == 2
                url = dbaudit_throwaway("sqlite")
                assert url.startswith("sqlite:///") and url.endswith(".sqlite")
        """,
    })
    run = audit("--dbaudit-db", f"sqlite:///{db}", "-k", "ACME or test_models")
    assert run.result.ret == 1
    item = run.item("ACME-7[")
    assert item["outcome"] == "fail" and item["custom"] is True
    assert item["findings"] == [{"message": "users.id=2 problem=email is null", "location": "users.id=2"}]
    assert "passed" in [ln for ln in run.result.outlines if "test_models" in ln][0].lower() or \
        run.result.parseoutcomes().get("passed", 0) >= 1


def test_xdist_gives_the_same_levels(pytester, audit):
    write(pytester.path, {
        "app/settings.py": 'URL = "postgresql://app:Xd1stS3cret@db.example:5432/x"\n',
        "requirements.txt": "sqlalchemy\n",
        "docker-compose.yml": "services:\n  db:\n    image: postgres:13.4\n",
    })
    serial = audit("--dbaudit-no-containers")
    parallel = audit("--dbaudit-no-containers", "-n", "2")
    assert parallel.json["levels"] == serial.json["levels"]
    key = lambda r: r["nodeid"]
    assert [(r["nodeid"], r["outcome"]) for r in sorted(parallel.json["items"], key=key)] == \
           [(r["nodeid"], r["outcome"]) for r in sorted(serial.json["items"], key=key)]
    assert "Xd1stS3cret" not in parallel.text
