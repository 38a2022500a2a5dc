"""The wheel as a user gets it: built from this tree, installed into a fresh venv, run from an empty folder.

Catches what an editable install hides: catalog files or modules left out of the wheel, a missing
``pytest11`` entry point, a catalog looked up in the source checkout instead of site-packages.
Needs the package index (pip installs the build backend and the dependencies): without it the tests
skip, or fail when ``CI`` is set.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "pytest_dbaudit"
# pip's words when it cannot reach the index or the index lacks what it needs
_OFFLINE = re.compile(
    r"NewConnectionError|ConnectionError|Max retries exceeded|Temporary failure in name resolution|"
    r"Name or service not known|Network is unreachable|timed out|No matching distribution found|"
    r"Could not find a version that satisfies",
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for var in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTEST_ADDOPTS", "PYTEST_PLUGINS",
                "PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PIP_NO_CACHE_DIR", "PIP_NO_INDEX"):
        env.pop(var, None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(cmd: list, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=_env(), capture_output=True, text=True,
                          timeout=timeout)


def _pip(cmd: list, cwd: Path, what: str) -> None:
    """Run a pip command; skip (fail under CI) when the index is unreachable, fail on anything else."""
    proc = _run(cmd, cwd, timeout=900)
    if proc.returncode == 0:
        return
    output = f"{proc.stdout}\n{proc.stderr}"
    tail = "\n".join(output.strip().splitlines()[-15:])
    offline = [line.strip() for line in output.splitlines() if _OFFLINE.search(line)]
    if offline:
        msg = f"{what}: the package index looks unreachable (pip exited {proc.returncode}): {offline[0]}\n{tail}"
        if os.environ.get("CI"):
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    pytest.fail(f"{what} failed (pip exited {proc.returncode}):\n{tail}", pytrace=False)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _pip([sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-w", out], out, "building the wheel")
    wheels = list(out.glob("pytest_dbaudit-*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {out}, found {[w.name for w in wheels]}"
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv (no system site-packages) with the wheel installed, non-editable, with its dependencies."""
    path = tmp_path_factory.mktemp("venv")
    proc = _run([sys.executable, "-m", "venv", path], path)
    assert proc.returncode == 0, f"python -m venv failed:\n{proc.stdout}\n{proc.stderr}"
    python = path / "bin" / "python"
    _pip([python, "-m", "pip", "install", wheel], path, "installing the wheel into a fresh venv")
    return python


def test_wheel_holds_catalog_modules_and_entry_point(wheel):
    names = zipfile.ZipFile(wheel).namelist()

    shipped = sorted(n.rsplit("/", 1)[1] for n in names if re.fullmatch(rf"{PACKAGE}/checks/[^/]+\.yaml", n))
    source = sorted(p.name for p in (ROOT / "checks").glob("*.yaml"))
    assert source, f"no catalog files in {ROOT / 'checks'}"
    assert shipped == source, "the wheel's pytest_dbaudit/checks/ differs from checks/ (one YAML file per section)"

    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / PACKAGE).rglob("*.py")
                     if "__pycache__" not in p.parts)
    missing = [m for m in modules if m not in names]
    assert not missing, f"modules missing from the wheel (excluded by .gitignore?): {missing}"

    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert re.search(rf"\[pytest11\]\s*\n\s*dbaudit\s*=\s*{PACKAGE}\.plugin\s*$", text, re.M), text


def test_installed_wheel_runs_the_audit_from_an_empty_folder(venv, tmp_path):
    proc = _run([venv, "-m", "pytest", "--dbaudit", "-p", "no:cacheprovider", "-q"], tmp_path)
    output = f"{proc.stdout}\n{proc.stderr}"
    assert proc.returncode in (0, 1), f"pytest --dbaudit exited {proc.returncode}:\n{output[-4000:]}"
    assert "dbaudit maturity" in proc.stdout, f"no maturity table in the output:\n{output[-4000:]}"


def test_installed_wheel_uses_its_own_catalog(venv, tmp_path):
    from pytest_dbaudit.catalog import load_catalog

    source_count = len(load_catalog(builtin_dir=ROOT / "checks").items)
    code = ("import sysconfig\n"
            "from pytest_dbaudit.catalog import builtin_catalog_dir, load_catalog\n"
            "print(sysconfig.get_paths()['purelib']); print(builtin_catalog_dir()); print(len(load_catalog().items))")
    proc = _run([venv, "-c", code], tmp_path)
    assert proc.returncode == 0, f"loading the installed catalog failed:\n{proc.stdout}\n{proc.stderr}"
    site_packages, catalog_dir, count = proc.stdout.split()
    catalog_dir_path = Path(catalog_dir)

    assert catalog_dir_path.is_relative_to(Path(site_packages).resolve()), \
        f"catalog {catalog_dir} is not inside the venv's site-packages {site_packages}"
    assert not catalog_dir_path.is_relative_to(ROOT), f"the installed plugin reads the source tree: {catalog_dir}"
    if source_count > 100:
        assert int(count) > 100, f"installed catalog has {count} items, the source tree {source_count}"
    else:
        assert int(count) == source_count
