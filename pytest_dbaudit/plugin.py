"""pytest entry point: options, markers and fixtures.

Importing this module costs almost nothing: without ``--dbaudit`` the plugin adds no items,
prints nothing and imports nothing beyond pytest and the standard library. Everything else is
loaded by ``pytest_configure`` when the audit is switched on, or by a fixture when a test asks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SECTIONS = (
    "technology", "architecture", "performance", "schema", "migrations", "backup", "high_availability",
    "monitoring", "security", "capacity", "inventory", "configuration", "change",
)
MODES = ("static", "live", "drill", "attest")
SEVERITIES = ("critical", "high", "medium", "low", "info")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dbaudit", "database infrastructure audit (pytest-dbaudit)")
    group.addoption("--dbaudit", action="store_true", default=False,
                    help="run the database audit: one test item per checklist item and target")
    group.addoption("--dbaudit-only", action="store_true", default=False,
                    help="with --dbaudit, deselect every test that is not an audit item")
    group.addoption("--dbaudit-repo", metavar="PATH", default=None,
                    help="repository to audit statically (default: the rootdir)")
    group.addoption("--dbaudit-db", metavar="URL", action="append", default=[],
                    help="live database to audit read-only (repeatable): postgresql://, mysql+pymysql://, sqlite:///")
    group.addoption("--dbaudit-config", metavar="PATH", default=None,
                    help="audit config file (default: dbaudit.yaml or [tool.dbaudit] in the repo's pyproject.toml)")
    group.addoption("--dbaudit-fail-under", metavar="LEVEL", action="append", default=[],
                    help="fail the run when the overall level (3) or a section's level (security=3) is below LEVEL")
    group.addoption("--dbaudit-fail-on", metavar="SEVERITY", default=None,
                    help="fail the run when any item fails with a finding of SEVERITY or worse (Critical..Info)")
    group.addoption("--dbaudit-json", metavar="PATH", default=None, help="write the JSON report to PATH")
    group.addoption("--dbaudit-drill-engine", metavar="ENGINE", action="append", default=[],
                    help="engine(s) for drills on throwaway databases: postgresql, mysql, mariadb, sqlite")
    group.addoption("--dbaudit-no-containers", action="store_true", default=False,
                    help="never start containers for throwaway databases; use configured servers or SQLite")
    group.addoption("--dbaudit-allow-destructive", action="store_true", default=False,
                    help="let drills create and drop their own throwaway databases on the --dbaudit-db servers when "
                         "no container or configured server is available (the given databases are never written)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "dbaudit(id, section, level, severity, title): count this test as an audit item toward the maturity levels",
    )
    for name in SECTIONS + MODES + SEVERITIES:
        config.addinivalue_line("markers", f"dbaudit_{name}: audit items of {name}")
    if not config.getoption("dbaudit"):
        return
    from .errors import DbauditUsageError
    from .session import AuditPlugin

    try:
        plugin = AuditPlugin(config, make_audit(config))
    except DbauditUsageError as exc:
        raise pytest.UsageError(f"dbaudit: {exc}") from None
    config.pluginmanager.register(plugin, "dbaudit-session")


def make_audit(config: pytest.Config):
    from .audit import Audit, Options

    repo = config.getoption("dbaudit_repo")
    audit = Audit(Options(
        repo=Path(repo).resolve() if repo else config.rootpath,
        rootdir=config.rootpath,
        dbs=list(config.getoption("dbaudit_db") or []),
        config=config.getoption("dbaudit_config"),
        fail_under=list(config.getoption("dbaudit_fail_under") or []),
        fail_on=config.getoption("dbaudit_fail_on"),
        drill_engines=list(config.getoption("dbaudit_drill_engine") or []),
        containers=not config.getoption("dbaudit_no_containers"),
        allow_destructive=config.getoption("dbaudit_allow_destructive"),
    ))
    audit.pytest_config = config  # long drills write progress lines to its terminal
    return audit


def _audit(request: pytest.FixtureRequest):
    plugin = request.config.pluginmanager.get_plugin("dbaudit-session")
    if plugin is not None:
        return plugin.audit
    cache = request.config.stash.get(_AUDIT_KEY, None)
    if cache is None:
        from .errors import DbauditUsageError

        try:
            cache = make_audit(request.config)
        except DbauditUsageError as exc:
            pytest.fail(f"dbaudit: {exc}", pytrace=False)
        request.config.stash[_AUDIT_KEY] = cache
        request.config.add_cleanup(cache.close)
    return cache


_AUDIT_KEY = pytest.StashKey[object]()


@pytest.fixture(scope="session")
def dbaudit(request: pytest.FixtureRequest):
    """The audit run: catalog, configuration, targets."""
    return _audit(request)


@pytest.fixture(scope="session")
def dbaudit_repo(dbaudit):
    """The repository model (files read once and shared) of --dbaudit-repo, default the rootdir."""
    return dbaudit.repository()


@pytest.fixture(scope="session")
def dbaudit_stack(dbaudit_repo):
    """Languages, drivers, ORMs, migration tools and engines detected in the repository."""
    from .sources.stack import stack_of

    return stack_of(dbaudit_repo)


@pytest.fixture(scope="session")
def dbaudit_databases(dbaudit):
    """One read-only LiveDatabase (``.engine`` is a SQLAlchemy Engine) per live target."""
    from .outcomes import TargetUnavailable

    out = []
    for target in dbaudit.live_targets:
        try:
            out.append(dbaudit.live(target))
        except TargetUnavailable as exc:
            pytest.fail(str(exc), pytrace=False)
    return out


@pytest.fixture(scope="session")
def dbaudit_throwaway(dbaudit):
    """Factory: ``url = dbaudit_throwaway("postgresql")`` gives a fresh database, dropped at the end."""
    provider = dbaudit.throwaway()

    def make(engine: str = "postgresql") -> str:
        from .outcomes import TargetUnavailable

        try:
            return provider.create(engine).url
        except TargetUnavailable as exc:
            pytest.skip(f"no throwaway {engine} database: {exc}")

    return make
