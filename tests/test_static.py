"""Repository walking, stack discovery and committed-credential detection."""

import os

from conftest import EXAMPLES, write
from pytest_dbaudit.sources.credentials import credentials_of
from pytest_dbaudit.sources.stack import stack_of
from pytest_dbaudit.sources.walk import MAX_FILE_BYTES, Repository


def test_walk_honours_gitignore_skip_dirs_links_and_size(tmp_path):
    write(tmp_path, {
        ".gitignore": "*.log\nsecret/\n!keep.log\n",
        "app/.gitignore": "generated.py\n",
        "app/models.py": "x = 1\n", "app/generated.py": "y = 2\n", "debug.log": "", "keep.log": "",
        "secret/a.txt": "", "node_modules/pkg/index.js": "", ".venv/lib/x.py": "", "build/out.sql": "",
        "db/schema.sql": "create table t (id int);\n",
    })
    (tmp_path / "big.sql").write_bytes(b"-- x\n" * (MAX_FILE_BYTES // 4))
    (tmp_path / "blob.bin").write_bytes(b"\0\1\2" * 10)
    os.symlink(tmp_path, tmp_path / "app" / "loop")  # a directory link back to the root
    os.symlink("/etc/passwd", tmp_path / "outside.txt")  # a file link out of the repository
    os.symlink(tmp_path / "db" / "schema.sql", tmp_path / "schema-link.sql")  # inside: read
    repo = Repository(tmp_path)
    assert repo.files == [".gitignore", "app/.gitignore", "app/models.py", "big.sql", "blob.bin", "db/schema.sql",
                          "keep.log", "schema-link.sql"]
    assert repo.text("big.sql") is None and repo.stats.skipped_large == ["big.sql"]
    assert repo.text("blob.bin") is None and repo.stats.skipped_binary == 1
    assert repo.text("schema-link.sql").startswith("create table")


def test_stack_discovery_across_languages(tmp_path):
    write(tmp_path, {
        "requirements.txt": "SQLAlchemy>=2.0\nalembic==1.13\npsycopg2-binary\n",
        "web/package.json": '{"dependencies": {"@prisma/client": "5.0.0", "pg": "^8"}, "devDependencies": {"prisma": "5"}}',
        "web/prisma/schema.prisma": "datasource db { provider = \"postgresql\" }\n",
        "web/prisma/migrations/20240101_init/migration.sql": "CREATE TABLE a (id int);\n",
        "svc/go.mod": "module x\n\nrequire (\n\tgorm.io/gorm v1.25.0\n\tgithub.com/golang-migrate/migrate/v4 v4.17.0\n)\n",
        "svc/migrations/001_init.up.sql": "create table b (id int);\n",
        "rails/Gemfile": "gem 'rails', '~> 7.1'\ngem 'pg'\n",
        "rails/db/migrate/20240101000000_create_users.rb": "class CreateUsers < ActiveRecord::Migration[7.1]\nend\n",
        "java/pom.xml": "<project><dependencies><dependency><artifactId>flyway-core</artifactId></dependency>"
                        "<dependency><artifactId>spring-boot-starter-data-jpa</artifactId></dependency></dependencies></project>",
        "java/src/main/resources/db/migration/V1__init.sql": "create table c (id int);\n",
        "alembic.ini": "[alembic]\nscript_location = migrations\n",
        "docker-compose.yml": "services:\n  db:\n    image: postgres:15.6\n  cache:\n    image: redis:7\n",
        "app/main.py": "from sqlalchemy import create_engine\nBase.metadata.create_all(engine)\n",
    })
    stack = stack_of(Repository(tmp_path))
    assert {"SQLAlchemy", "Prisma", "GORM", "ActiveRecord", "JPA/Hibernate"} <= set(stack.orms)
    assert {"Alembic", "Prisma Migrate", "golang-migrate", "Rails migrations", "Flyway"} <= set(stack.migration_tools)
    assert {"psycopg2", "node-postgres"} <= set(stack.drivers)
    assert set(stack.engines) == {"postgresql", "redis"}
    assert stack.images[0][1:] == ("postgres:15.6", "postgresql")
    assert "requirements.txt:1" in stack.orms["SQLAlchemy"]
    assert stack.schema_autocreate == ["app/main.py:2"]
    assert {"Python", "JavaScript/TypeScript", "Go", "Ruby", "Java"} <= set(stack.languages)


def test_no_database_signal(tmp_path):
    write(tmp_path, {"README.md": "hello\n", "src/main.py": "print('hi')\n"})
    assert stack_of(Repository(tmp_path)).db_signal == []


def test_credentials_literal_vs_reference(tmp_path):
    write(tmp_path, {
        "a.py": 'URL = "postgresql://app:p@ss:w0rd@db.prod.example:5432/shop"\n'
                'LOCAL = "postgresql://dev:devpass@localhost/shop"\n'
                'FROM_ENV = f"postgresql://app:{os.environ[\'PW\']}@db/shop"\n'
                'DATABASES = {"default": {"PASSWORD": "Tr0ub4dor&3", "USER": "app"}}\n'
                'DB_PASSWORD = os.environ["DB_PASSWORD"]\n',
        "docker-compose.yml": "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: postgres\n"
                              "      MYSQL_ROOT_PASSWORD: ${ROOT_PW}\n      POSTGRES_HOST_AUTH_METHOD: trust\n",
        ".env.example": "DATABASE_URL=postgresql://app:changeme@localhost/app\n",
        "main.tf": 'resource "aws_db_instance" "x" {\n  password = var.db_password\n  master_password = "hunter2hunter2"\n}\n',
        "application.properties": "spring.datasource.password=S3cretValue\n",
        "k8s.yaml": "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef: {name: db, key: pw}\n",
    })
    creds = credentials_of(Repository(tmp_path))
    found = {(c.file, c.line, c.kind, c.shown, c.weak, c.template) for c in creds}
    assert found == {
        ("a.py", 1, "dsn", "postgresql://app:****@db.prod.example:5432", False, False),
        ("a.py", 2, "dsn", "postgresql://dev:****@localhost", False, False),
        ("a.py", 4, "assignment", "PASSWORD:****", False, False),
        ("docker-compose.yml", 4, "assignment", "POSTGRES_PASSWORD:****", True, False),
        ("docker-compose.yml", 6, "auth-setting", "POSTGRES_HOST_AUTH_METHOD=trust", True, False),
        (".env.example", 1, "dsn", "postgresql://app:****@localhost", True, True),
        ("main.tf", 3, "assignment", "master_password=****", False, False),
        ("application.properties", 1, "assignment", "spring.datasource.password=****", False, False),
    }
    local = [c for c in creds if c.line == 2 and c.file == "a.py"][0]
    assert local.local


def test_legacy_example_findings_are_redacted_everywhere(pytester, audit):
    run = audit("--dbaudit-repo", str(EXAMPLES / "legacy_inventory"), "-m", "dbaudit_static",
                f"--html={pytester.path / 'out' / 'report.html'}")
    assert run.outcome("SE-11[repo]") == "fail"
    assert run.outcome("SE-07[repo]") == "fail"
    assert run.outcome("MG-01[repo]") == "fail"
    assert run.outcome("TV-03[repo]") == "fail"
    locations = {f["location"] for f in run.item("SE-11[repo]")["findings"]}
    assert {"inventory/settings.py:5", "inventory/settings.py:7", "docker-compose.yml:7",
            "docker-compose.yml:13"} <= locations
    assert "postgres:9.6" in run.item("TV-03[repo]")["findings"][0]["message"]
    html = (pytester.path / "out" / "report.html").read_text()
    junit = (pytester.path / "out" / "junit.xml").read_text()
    report = (pytester.path / "out" / "report.json").read_text()
    for secret in ("Winter2017!", "reporting:reporting"):
        for name, text in (("terminal", run.text), ("html", html), ("junit", junit), ("json", report)):
            assert secret not in text, (secret, name)
    assert "****" in report and "Database Schema" in html or "dbaudit-maturity" in html


def test_template_files_placeholders_quiet_real_passwords_low(pytester, audit):
    write(pytester.path, {
        "requirements.txt": "psycopg2\n",
        ".env.example": "DATABASE_URL=postgresql://app:changeme@db.example.com/app\nDB_PASSWORD=<your password>\n"
                        "REDIS_URL=redis://:${REDIS_PASSWORD}@cache:6379/0\n",
        "config/app.env.sample": "DATABASE_URL=postgresql://app:Xk9mQ2vLr7@prod-db.example.com/app\n",
    })
    run = audit("-k", "SE-11")
    (finding,) = run.item("SE-11[repo]")["findings"]
    assert finding["location"] == "config/app.env.sample:1"
    assert finding["severity"] == "Low" and "(example/template file)" in finding["message"]
    assert "Xk9mQ2vLr7" not in run.text and "Xk9mQ2vLr7" not in (pytester.path / "out" / "report.json").read_text()
