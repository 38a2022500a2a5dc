"""Stack discovery: languages, database drivers, ORMs, migration tools and engines, with evidence.

Built once per run from the Repository and shared (``stack_of(repo)``). Every detection keeps the
file:line that proves it, so a report can say why it believes a tool is in use.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .walk import Repository, line_of

# Seed 000 front matter: where database code lives, and the words that signal it.
RELEVANT_DIRS = ("models", "migrations", "db", "prisma")
RELEVANT_KEYWORDS = ("sql", "query", "orm", "prisma", "sequelize", "mongoose", "typeorm")
RELEVANT_CONFIG_KEYS = ("prisma", "sequelize", "mongoose", "typeorm", "knex")

# dependency name (as in a manifest) -> (kind, canonical name)
PACKAGES: dict[str, tuple[str, str]] = {
    # Python
    "sqlalchemy": ("orm", "SQLAlchemy"), "flask-sqlalchemy": ("orm", "SQLAlchemy"), "sqlmodel": ("orm", "SQLModel"),
    "django": ("orm", "Django ORM"), "peewee": ("orm", "Peewee"), "tortoise-orm": ("orm", "Tortoise ORM"),
    "pony": ("orm", "Pony ORM"), "alembic": ("migration", "Alembic"), "flask-migrate": ("migration", "Alembic"),
    "yoyo-migrations": ("migration", "yoyo"), "psycopg2": ("driver", "psycopg2"),
    "psycopg2-binary": ("driver", "psycopg2"), "psycopg": ("driver", "psycopg"), "asyncpg": ("driver", "asyncpg"),
    "pymysql": ("driver", "PyMySQL"), "mysqlclient": ("driver", "mysqlclient"), "aiomysql": ("driver", "aiomysql"),
    "mysql-connector-python": ("driver", "mysql-connector"), "pymongo": ("driver", "pymongo"),
    "motor": ("driver", "motor"), "redis": ("driver", "redis-py"),
    # JavaScript / TypeScript
    "prisma": ("migration", "Prisma Migrate"), "@prisma/client": ("orm", "Prisma"),
    "sequelize": ("orm", "Sequelize"), "sequelize-cli": ("migration", "Sequelize migrations"),
    "umzug": ("migration", "Umzug"), "typeorm": ("orm", "TypeORM"), "mongoose": ("orm", "Mongoose"),
    "knex": ("orm", "Knex"), "drizzle-orm": ("orm", "Drizzle"), "drizzle-kit": ("migration", "Drizzle Kit"),
    "@mikro-orm/core": ("orm", "MikroORM"), "node-pg-migrate": ("migration", "node-pg-migrate"),
    "db-migrate": ("migration", "db-migrate"), "pg": ("driver", "node-postgres"), "mysql2": ("driver", "mysql2"),
    "mysql": ("driver", "mysqljs"), "mongodb": ("driver", "mongodb"), "ioredis": ("driver", "ioredis"),
    # Ruby
    "rails": ("orm", "ActiveRecord"), "activerecord": ("orm", "ActiveRecord"), "sequel": ("orm", "Sequel"),
    # Go
    "gorm.io/gorm": ("orm", "GORM"), "entgo.io/ent": ("orm", "ent"),
    "github.com/golang-migrate/migrate/v4": ("migration", "golang-migrate"),
    "github.com/pressly/goose/v3": ("migration", "goose"), "github.com/jackc/pgx/v5": ("driver", "pgx"),
    "github.com/lib/pq": ("driver", "lib/pq"), "github.com/go-sql-driver/mysql": ("driver", "go-sql-driver/mysql"),
    # Java / Kotlin
    "hibernate-core": ("orm", "JPA/Hibernate"), "spring-boot-starter-data-jpa": ("orm", "JPA/Hibernate"),
    "flyway-core": ("migration", "Flyway"), "liquibase-core": ("migration", "Liquibase"),
    "postgresql": ("driver", "pgjdbc"), "mysql-connector-j": ("driver", "MySQL Connector/J"),
}

LANG_BY_MANIFEST = {
    "requirements.txt": "Python", "pyproject.toml": "Python", "setup.py": "Python", "setup.cfg": "Python",
    "Pipfile": "Python", "package.json": "JavaScript/TypeScript", "Gemfile": "Ruby", "go.mod": "Go",
    "pom.xml": "Java", "build.gradle": "Java", "build.gradle.kts": "Kotlin",
}

# Import statements that prove an ORM is used even without a manifest entry.
IMPORTS = [
    (re.compile(r"^\s*(?:from|import)\s+sqlalchemy\b", re.M), ("orm", "SQLAlchemy")),
    (re.compile(r"^\s*(?:from|import)\s+sqlmodel\b", re.M), ("orm", "SQLModel")),
    (re.compile(r"^\s*from\s+django\.db\s+import\s+models\b", re.M), ("orm", "Django ORM")),
    (re.compile(r"^\s*(?:from|import)\s+(psycopg2|psycopg|pymysql|MySQLdb|asyncpg|sqlite3)\b", re.M), ("driver", None)),
    (re.compile(r"""(?:require\(|from\s+)['"](sequelize|typeorm|mongoose|knex|@prisma/client|pg|mysql2)['"]"""), ("orm", None)),
]

DB_IMAGES = {
    "postgres": "postgresql", "postgis/postgis": "postgresql", "bitnami/postgresql": "postgresql",
    "timescale/timescaledb": "postgresql", "mysql": "mysql", "bitnami/mysql": "mysql", "mariadb": "mariadb",
    "bitnami/mariadb": "mariadb", "mongo": "mongodb", "redis": "redis", "valkey/valkey": "redis",
    "mcr.microsoft.com/mssql/server": "sqlserver", "gvenzl/oracle-xe": "oracle", "cockroachdb/cockroach": "cockroachdb",
    "clickhouse/clickhouse-server": "clickhouse",
}


@dataclass
class Stack:
    languages: dict[str, list[str]] = field(default_factory=dict)  # name -> evidence
    orms: dict[str, list[str]] = field(default_factory=dict)
    migration_tools: dict[str, list[str]] = field(default_factory=dict)
    drivers: dict[str, list[str]] = field(default_factory=dict)
    engines: dict[str, list[str]] = field(default_factory=dict)
    images: list[tuple[str, str, str]] = field(default_factory=list)  # (file:line, image, engine)
    schema_autocreate: list[str] = field(default_factory=list)  # create_all()/synchronize: evidence
    db_signal: list[str] = field(default_factory=list)  # why the repository is in scope

    def add(self, kind: str, name: str, evidence: str) -> None:
        bucket = {"orm": self.orms, "migration": self.migration_tools, "driver": self.drivers,
                  "engine": self.engines, "language": self.languages}[kind]
        ev = bucket.setdefault(name, [])
        if evidence not in ev and len(ev) < 5:
            ev.append(evidence)

    def to_dict(self) -> dict:
        return {
            "languages": self.languages, "orms": self.orms, "migration_tools": self.migration_tools,
            "drivers": self.drivers, "engines": self.engines, "schema_autocreate": self.schema_autocreate,
            "images": [{"location": w, "image": i, "engine": e} for w, i, e in self.images],
            "db_signal": self.db_signal[:10],
        }


def stack_of(repo: Repository) -> Stack:
    return repo.model("stack", _build)  # type: ignore[return-value]


def _norm_pkg(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.strip().lower())


def _dep(stack: Stack, rel: str, text: str, name: str, at: int) -> None:
    key = name if "/" in name and "." in name.split("/")[0] else _norm_pkg(name)
    hit = PACKAGES.get(key) or PACKAGES.get(name)
    if hit:
        stack.add(hit[0], hit[1], f"{rel}:{line_of(text, at)}")


def _python_manifest(stack: Stack, rel: str, text: str) -> None:
    # requirement lines and quoted PEP 508 strings in pyproject/setup files
    for m in re.finditer(r"""(?m)^\s*["']?([A-Za-z0-9][A-Za-z0-9._\-]*)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;"',]|$)""", text):
        _dep(stack, rel, text, m.group(1), m.start(1))
    for m in re.finditer(r"""["']([A-Za-z0-9][A-Za-z0-9._\-]*)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;][^"']*)?["']""", text):
        _dep(stack, rel, text, m.group(1), m.start(1))


def _package_json(stack: Stack, rel: str, text: str) -> None:
    try:
        data = json.loads(text)
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    for section in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
        deps = data.get(section)
        if isinstance(deps, dict):
            for name in deps:
                at = text.find(f'"{name}"')
                _dep(stack, rel, text, name, max(at, 0))
    for key in RELEVANT_CONFIG_KEYS:
        if key in data:
            stack.db_signal.append(f"{rel}: package.json key '{key}'")


def _build(repo: Repository) -> Stack:
    stack = Stack()
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        parts = rel.split("/")
        if name in LANG_BY_MANIFEST or name.startswith("requirements") and name.endswith(".txt"):
            lang = LANG_BY_MANIFEST.get(name, "Python")
            stack.add("language", lang, rel)
            text = repo.text(rel) or ""
            if lang == "Python":
                _python_manifest(stack, rel, text)
            elif name == "package.json":
                _package_json(stack, rel, text)
            elif name == "Gemfile":
                for m in re.finditer(r"""(?m)^\s*gem\s+['"]([^'"]+)['"]""", text):
                    _dep(stack, rel, text, m.group(1), m.start(1))
            elif name == "go.mod":
                for m in re.finditer(r"(?m)^\s*(?:require\s+)?([a-z0-9.\-]+\.[a-z]+/[^\s]+)\s+v", text):
                    _dep(stack, rel, text, m.group(1), m.start(1))
            elif name in ("pom.xml", "build.gradle", "build.gradle.kts"):
                for m in re.finditer(r"<artifactId>([^<]+)</artifactId>|['\"][\w.\-]+:([\w.\-]+)(?::[^'\"]*)?['\"]", text):
                    _dep(stack, rel, text, m.group(1) or m.group(2), m.start())
        # Migration layouts (file evidence beats manifests: a tool can be configured but unused).
        if name == "alembic.ini":
            stack.add("migration", "Alembic", rel)
        elif len(parts) >= 2 and parts[-2] == "versions" and name.endswith(".py"):
            text = repo.text(rel) or ""
            if re.search(r"(?m)^(?:revision|down_revision)\s*[:=]", text):
                stack.add("migration", "Alembic", rel)
        elif len(parts) >= 2 and parts[-2] == "migrations" and re.match(r"\d{4}_\w+\.py$", name):
            if "migrations.Migration" in (repo.text(rel) or ""):
                stack.add("migration", "Django migrations", rel)
        elif name == "migration_lock.toml" or (name == "migration.sql" and "migrations" in parts):
            stack.add("migration", "Prisma Migrate", rel)
        elif name == "schema.prisma":
            stack.add("orm", "Prisma", rel)
        elif re.match(r"prisma\.config\.(ts|js|mjs|cjs)$", name):  # Prisma 6+: the config may live anywhere
            stack.add("migration", "Prisma Migrate", rel)
        elif re.match(r"[VUR]\d+(?:[._]\d+)*__\w+\.sql$", name) or name in ("flyway.conf", "flyway.toml"):
            stack.add("migration", "Flyway", rel)
        elif re.match(r"(?:db\.)?changelog.*\.(xml|ya?ml|json|sql)$", name, re.I):
            if "databaseChangeLog" in (repo.text(rel) or "") or name.endswith(".sql"):
                stack.add("migration", "Liquibase", rel)
        elif re.search(r"\.(up|down)\.sql$", name):
            stack.add("migration", "golang-migrate", rel)
        elif len(parts) >= 3 and parts[-3:-1] == ["db", "migrate"] and name.endswith(".rb"):
            stack.add("migration", "Rails migrations", rel)
        elif re.match(r"knexfile\.(js|ts|cjs|mjs)$", name):
            stack.add("migration", "Knex migrations", rel)
        elif name == ".sequelizerc":
            stack.add("migration", "Sequelize migrations", rel)
        elif name.endswith(".sql") and "migrations" in parts:
            stack.add("migration", "SQL migration files", rel)

        if any(p in RELEVANT_DIRS for p in parts[:-1]) and len(stack.db_signal) < 50:
            stack.db_signal.append(f"{rel}: path matches the audit's file patterns")
        if name.endswith(".sql") and len(stack.db_signal) < 50:
            stack.db_signal.append(f"{rel}: SQL file")

        if name.endswith(".tf") and len(stack.db_signal) < 50:
            m = _TF_DB.search(repo.text(rel) or "")
            if m:
                stack.db_signal.append(f"{rel}: Terraform declares {m.group(0).strip()}")
        if name.endswith((".py", ".ts", ".js", ".mjs", ".cjs", ".rb", ".go")):
            _scan_code(stack, repo, rel)
        elif name.endswith((".yml", ".yaml")):
            _scan_images(stack, repo, rel)
            _scan_helm(stack, repo, rel)

    if stack.orms or stack.migration_tools or stack.drivers or stack.engines:
        stack.db_signal[:0] = [f"{k}: {', '.join(v)}" for k, v in (
            ("ORMs", stack.orms), ("migration tools", stack.migration_tools), ("drivers", stack.drivers),
            ("engines", stack.engines)) if v]
    return stack


_TF_DB = re.compile(r'resource\s+"(aws_db_instance|aws_rds_cluster|google_sql_database_instance|azurerm_(postgresql|mysql|mssql)\w*|'
                    r'aws_elasticache\w*|aws_docdb\w*)"|terraform-aws-modules/rds|GoogleCloudPlatform/sql-db')
_AUTOCREATE = re.compile(r"\.create_all\s*\(|synchronize\s*:\s*true|\.sync\s*\(\s*\{\s*(?:alter|force)\s*:\s*true")


def _scan_code(stack: Stack, repo: Repository, rel: str) -> None:
    text = repo.text(rel)
    if not text:
        return
    if rel.endswith((".ts", ".js")) and "MigrationInterface" in text:
        stack.add("migration", "TypeORM migrations", rel)
    for rx, (kind, name) in IMPORTS:
        m = rx.search(text)
        if m:
            label = name or _DRIVER_NAMES.get(m.group(1), m.group(1))
            k = "driver" if kind == "driver" or label in _DRIVER_NAMES.values() else kind
            stack.add(k, label, f"{rel}:{line_of(text, m.start())}")
    m = _AUTOCREATE.search(text)
    if m and len(stack.schema_autocreate) < 10:
        stack.schema_autocreate.append(f"{rel}:{line_of(text, m.start())}")


_DRIVER_NAMES = {
    "psycopg2": "psycopg2", "psycopg": "psycopg", "pymysql": "PyMySQL", "MySQLdb": "mysqlclient",
    "asyncpg": "asyncpg", "sqlite3": "sqlite3", "pg": "node-postgres", "mysql2": "mysql2",
    "sequelize": "Sequelize", "typeorm": "TypeORM", "mongoose": "Mongoose", "knex": "Knex", "@prisma/client": "Prisma",
}


_OPERATOR_GROUPS = re.compile(r"postgresql\.cnpg\.io|acid\.zalan\.do|postgres-operator\.crunchydata\.com|"
                             r"mysql\.oracle\.com|pxc\.percona\.com|k8s\.mariadb\.com|mongodbcommunity\.mongodb\.com")
_IMAGE_LINE = re.compile(r"""(?m)^\s*image:\s*["']?([^\s"'#]+)""")


def image_version(image: str) -> str | None:
    """``postgres:16.4-alpine`` -> ``16.4``; None for a floating tag (``postgres``, ``:latest``)."""
    last = image.rsplit("@", 1)[0].rsplit("/", 1)[-1]
    m = re.match(r"\d+(?:\.\d+){0,2}", last.rsplit(":", 1)[1]) if ":" in last else None
    return m.group(0) if m else None


def image_name(image: str) -> str:
    """The repository part of an image reference, without tag, digest or Docker Hub prefix."""
    repo_part = image.rsplit("@", 1)[0]
    name = repo_part.rsplit(":", 1)[0] if ":" in repo_part.rsplit("/", 1)[-1] else repo_part
    for prefix in ("docker.io/library/", "docker.io/", "library/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    return name


def image_engine(image: str) -> str | None:
    return DB_IMAGES.get(image_name(image))


def _scan_images(stack: Stack, repo: Repository, rel: str) -> None:
    """Database images in compose files and Kubernetes manifests (``image:`` keys)."""
    text = repo.text(rel) or ""
    m = _OPERATOR_GROUPS.search(text)
    if m:
        stack.db_signal.append(f"{rel}: database operator resource ({m.group(0)})")
    if "image:" not in text:
        return
    for m in _IMAGE_LINE.finditer(text):
        engine = image_engine(m.group(1))
        if engine:
            where = f"{rel}:{line_of(text, m.start(1))}"
            stack.add("engine", engine, f"{where} ({m.group(1)})")
            stack.images.append((where, m.group(1), engine))


def _scan_helm(stack: Stack, repo: Repository, rel: str) -> None:
    """Bitnami database charts named in Chart.yaml (the chart or a dependency) or as a values file's key."""
    from .helm import CHARTS, VALUES

    name = rel.rsplit("/", 1)[-1]
    names = "|".join(map(re.escape, sorted(CHARTS, key=len, reverse=True)))
    if name in ("Chart.yaml", "requirements.yaml"):
        rx = re.compile(rf"""(?m)^\s*-?\s*name:\s*["']?({names})["']?\s*$""")
    elif VALUES.match(name):
        rx = re.compile(rf"(?m)^({names})\s*:")
    else:
        return
    text = repo.text(rel) or ""
    for m in rx.finditer(text):
        where = f"{rel}:{line_of(text, m.start(1))}"
        stack.add("engine", CHARTS[m.group(1)].engine, f"{where} (Helm chart {m.group(1)})")
        if len(stack.db_signal) < 50:
            stack.db_signal.append(f"{where}: Helm chart {m.group(1)}")
