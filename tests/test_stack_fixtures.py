"""One small repository per ORM and migration tool: each is identified, with the path that proves it."""

import pytest

from conftest import write
from pytest_dbaudit.sources.stack import stack_of
from pytest_dbaudit.sources.walk import Repository

CASES = {
    "sqlalchemy+alembic": ({
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["SQLAlchemy>=2", "alembic"]\n',
        "db/alembic.ini": "[alembic]\nscript_location = migrations\n",
        "db/migrations/versions/1a_init.py": "revision = '1a'\ndown_revision = None\n",
    }, {"orm": {"SQLAlchemy": "pyproject.toml:3"}, "migration": {"Alembic": "db/alembic.ini"}}),
    "sqlmodel": ({"app/models.py": "from sqlmodel import SQLModel, Field\n"}, {"orm": {"SQLModel": "app/models.py:1"}}),
    "django": ({
        "requirements.txt": "Django==5.0\n",
        "shop/models.py": "from django.db import models\n",
        "shop/migrations/0001_initial.py": "from django.db import migrations\nclass Migration(migrations.Migration):\n    pass\n",
    }, {"orm": {"Django ORM": "requirements.txt:1"}, "migration": {"Django migrations": "shop/migrations/0001_initial.py"}}),
    "prisma": ({
        "package.json": '{"dependencies": {"@prisma/client": "5"}, "devDependencies": {"prisma": "5"}}',
        "tools/db/prisma.config.ts": "import { defineConfig } from 'prisma/config'\nexport default defineConfig({ schema: 'schema' })\n",
        "tools/db/schema/schema.prisma": "datasource db { provider = \"postgresql\" }\n",
        "tools/db/migrations/20240101_init/migration.sql": "CREATE TABLE a (id int);\n",
    }, {"orm": {"Prisma": "package.json:1"}, "migration": {"Prisma Migrate": "tools/db/prisma.config.ts"}}),
    "sequelize+umzug": ({
        "package.json": '{"dependencies": {"sequelize": "6", "umzug": "3", "pg": "8"}}',
        "src/db.js": "const { Sequelize } = require('sequelize')\n",
    }, {"orm": {"Sequelize": "package.json:1"}, "migration": {"Umzug": "package.json:1"}}),
    "sequelize-cli": ({
        "package.json": '{"dependencies": {"sequelize": "6"}, "devDependencies": {"sequelize-cli": "6"}}',
        ".sequelizerc": "module.exports = {}\n",
        "migrations/20240101-create-user.js": "module.exports = { up() {}, down() {} }\n",
    }, {"migration": {"Sequelize migrations": ".sequelizerc"}}),
    "typeorm": ({
        "package.json": '{"dependencies": {"typeorm": "0.3"}}',
        "src/migrations/1700000000000-Init.ts": "import { MigrationInterface } from 'typeorm'\n"
                                                 "export class Init1700000000000 implements MigrationInterface {}\n",
    }, {"orm": {"TypeORM": "package.json:1"}, "migration": {"TypeORM migrations": "src/migrations/1700000000000-Init.ts"}}),
    "mongoose": ({"package.json": '{"dependencies": {"mongoose": "8"}}'}, {"orm": {"Mongoose": "package.json:1"}}),
    "knex": ({
        "package.json": '{"dependencies": {"knex": "3", "pg": "8"}}',
        "knexfile.js": "module.exports = { client: 'pg' }\n",
    }, {"orm": {"Knex": "package.json:1"}, "migration": {"Knex migrations": "knexfile.js"}}),
    "rails": ({
        "Gemfile": "source 'https://rubygems.org'\ngem 'rails', '~> 7.1'\n",
        "db/migrate/20240101000000_create_users.rb": "class CreateUsers < ActiveRecord::Migration[7.1]\nend\n",
    }, {"orm": {"ActiveRecord": "Gemfile:2"}, "migration": {"Rails migrations": "db/migrate/20240101000000_create_users.rb"}}),
    "gorm+golang-migrate": ({
        "go.mod": "module x\n\nrequire (\n\tgorm.io/gorm v1.25.0\n\tgithub.com/golang-migrate/migrate/v4 v4.17.0\n)\n",
        "db/migrations/000001_init.up.sql": "CREATE TABLE a (id int);\n",
        "db/migrations/000001_init.down.sql": "DROP TABLE a;\n",
    }, {"orm": {"GORM": "go.mod:4"}, "migration": {"golang-migrate": "db/migrations/000001_init.down.sql"}}),
    "jpa+flyway": ({
        "pom.xml": "<project><dependencies><dependency><artifactId>spring-boot-starter-data-jpa</artifactId>"
                   "</dependency><dependency><artifactId>flyway-core</artifactId></dependency></dependencies></project>",
        "src/main/resources/db/migration/V1__init.sql": "CREATE TABLE a (id int);\n",
    }, {"orm": {"JPA/Hibernate": "pom.xml:1"}, "migration": {"Flyway": "pom.xml:1"}}),
    "liquibase": ({
        "src/main/resources/db/changelog/db.changelog-master.yaml": "databaseChangeLog:\n  - changeSet: {id: 1}\n",
    }, {"migration": {"Liquibase": "src/main/resources/db/changelog/db.changelog-master.yaml"}}),
    "plain-sql": ({"migrations/001_init.sql": "CREATE TABLE a (id int);\n"},
                  {"migration": {"SQL migration files": "migrations/001_init.sql"}}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_stack_is_identified_with_its_path(tmp_path, name):
    files, expected = CASES[name]
    write(tmp_path, files)
    stack = stack_of(Repository(tmp_path))
    for kind, wanted in expected.items():
        found = stack.orms if kind == "orm" else stack.migration_tools
        for tool, path in wanted.items():
            assert tool in found, (name, kind, tool, found)
            assert path in found[tool], (name, tool, found[tool])
    assert stack.db_signal


def test_several_alembic_configs_and_trees(tmp_path):
    write(tmp_path, {
        "services/a/alembic.ini": "[alembic]\nscript_location = migrations\n",
        "services/b/alembic.ini": "[alembic]\nscript_location = migrations\n[analytics]\nscript_location = wh\n",
        "services/a/migrations/versions/x1.py": "revision = 'x1'\ndown_revision = None\n",
    })
    stack = stack_of(Repository(tmp_path))
    assert {"services/a/alembic.ini", "services/b/alembic.ini"} <= set(stack.migration_tools["Alembic"])
