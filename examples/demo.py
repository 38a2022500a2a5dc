"""Audit both examples and write their HTML and JSON reports to reports/ (what `make demo` runs).

mature_shop is audited as it would be in production: its repository, a live database built from
its own migrations, and the Alembic drill on a throwaway database. The database server is the
local PostgreSQL (or DBAUDIT_THROWAWAY_POSTGRESQL); every database the demo creates is dropped.
That server is a shared development server whose own settings (no WAL archiving, no TLS, slow log
off) are not the example's, so of the live items the demo keeps the schema's primary-key check.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pytest_dbaudit.throwaway import ThrowawayProvider  # noqa: E402

SERVER = os.environ.get("DBAUDIT_THROWAWAY_POSTGRESQL", "postgresql://postgres@127.0.0.1:5432/postgres")
REPORTS = ROOT / "reports"


def audit(example: str, env: dict[str, str], *extra: str) -> int:
    cmd = [sys.executable, "-m", "pytest", "--dbaudit", "--dbaudit-only", "-q", "--no-header", "-p", "no:cacheprovider",
           f"--dbaudit-repo=examples/{example}", "--dbaudit-no-containers",
           f"--html=reports/{example}.html", "--self-contained-html", f"--dbaudit-json=reports/{example}.json", *extra]
    print(f"\n$ pytest --dbaudit --dbaudit-repo examples/{example} {' '.join(extra)}", flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def main() -> int:
    REPORTS.mkdir(exist_ok=True)
    provider = ThrowawayProvider({"postgresql": SERVER}, use_containers=False)
    try:
        db = provider.create("postgresql")
        upgrade = ("import sys; sys.path.insert(0, '.'); from alembic.config import Config; from alembic import command;"
                   f"c = Config('alembic.ini'); c.set_main_option('sqlalchemy.url', {db.url!r}); command.upgrade(c, 'head')")
        subprocess.run([sys.executable, "-c", upgrade], cwd=ROOT / "examples" / "mature_shop", check=True)
        env = dict(os.environ, SHOP_DATABASE_URL=db.url, DBAUDIT_THROWAWAY_POSTGRESQL=SERVER)
        mature = audit("mature_shop", env, "-k", "not dbaudit_live or SD-03")
        legacy = audit("legacy_inventory", env, "--dbaudit-fail-under=3")
    finally:
        provider.close()
    print(f"\nreports: {REPORTS / 'mature_shop.html'}  {REPORTS / 'legacy_inventory.html'}")
    print(f"mature_shop exit {mature} (expected 0); legacy_inventory exit {legacy} (expected 1: below level 3)")
    return 0 if (mature, legacy) == (0, 1) else 1


if __name__ == "__main__":
    sys.exit(main())
