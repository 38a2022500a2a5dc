"""What pytest-dbaudit costs at collection time.

(a) Without ``--dbaudit``: ``pytest --collect-only`` on a small throwaway project with the plugin
    loaded vs. blocked with ``-p no:dbaudit`` (interleaved runs), plus the in-process import cost of
    ``pytest_dbaudit.plugin`` and a check that importing it pulls in none of the heavy dependencies.
(b) With ``--dbaudit --collect-only``: how long collecting the audit items takes, for information.

    python benchmarks/collection_overhead.py [--runs 15] [--files 50] [--json out.json] [--max-overhead-ms 30]
                                             [--no-other-plugins]

Exit status: 1 if the median overhead of (a) exceeds ``--max-overhead-ms`` (only when given),
2 if importing the plugin module imports a heavy dependency, else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

HEAVY = ("sqlalchemy", "yaml", "alembic", "testcontainers", "pathspec")
BASE = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
COLLECTED_RE = re.compile(r"(\d+) tests? collected")


def make_project(root: Path, files: int) -> None:
    (root / "pytest.ini").write_text("[pytest]\n")  # pins the rootdir: no ini file above is read
    for i in range(files):
        (root / f"test_mod{i:03d}.py").write_text(
            f"def test_a{i}():\n    assert {i} == {i}\n\n\ndef test_b{i}():\n    assert True\n"
        )


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for var in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        env.pop(var, None)
    return env


def run(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU (user+sys) ms of one pytest process, and its output; raises unless pytest exits 0."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(BASE + args, cwd=cwd, env=env, capture_output=True, text=True)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    if proc.returncode != 0:
        raise SystemExit(f"pytest {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return wall, cpu, proc.stdout


def collected(output: str) -> int:
    m = COLLECTED_RE.search(output)
    return int(m.group(1)) if m else -1


def stats(wall: list[float], cpu: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(wall), 1), "min_ms": round(min(wall), 1),
            "cpu_median_ms": round(statistics.median(cpu), 1)}


def paired(samples: dict[str, list[float]]) -> float:
    """Median of (plugin - no_plugin) over the rounds."""
    return round(statistics.median(a - b for a, b in zip(samples["plugin"], samples["no_plugin"])), 1)


def import_cost_us(env: dict[str, str], repeats: int = 7) -> int:
    """Median µs of ``import pytest_dbaudit.plugin`` (cumulative) minus the pytest import inside it."""
    costs = []
    for _ in range(repeats):
        err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import pytest_dbaudit.plugin"],
                             env=env, capture_output=True, text=True, check=True).stderr
        rows = []  # (cumulative µs, depth, name) in the post-order importtime prints
        for line in err.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[1].strip().isdigit():
                name = parts[2][1:]
                rows.append((int(parts[1]), (len(name) - len(name.lstrip())) // 2, name.strip()))
        idx = next(i for i, r in enumerate(rows) if r[2] == "pytest_dbaudit.plugin")
        cum, depth, _ = rows[idx]
        pytest_cum = 0
        for child_cum, child_depth, child in reversed(rows[:idx]):  # children precede their parent
            if child_depth <= depth:
                break
            if child_depth == depth + 1 and child == "pytest":
                pytest_cum += child_cum
        costs.append(cum - pytest_cum)
    return int(statistics.median(costs))


def heavy_imports(env: dict[str, str]) -> list[str]:
    code = ("import sys, json, pytest_dbaudit.plugin\n"
            f"heavy = {HEAVY!r}\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=15, help="timed runs per variant (default 15)")
    ap.add_argument("--files", type=int, default=50, help="test files in the throwaway project (default 50)")
    ap.add_argument("--json", metavar="PATH", help="also write the numbers as JSON to PATH")
    ap.add_argument("--max-overhead-ms", type=float, help="exit 1 if the median overhead without --dbaudit exceeds this")
    ap.add_argument("--no-other-plugins", action="store_true",
                    help="load no other installed pytest plugin (PYTEST_DISABLE_PLUGIN_AUTOLOAD=1, the plugin by -p): "
                         "a smaller, steadier baseline")
    opts = ap.parse_args(argv)

    env = clean_env()
    with tempfile.TemporaryDirectory(prefix="dbaudit-bench-") as tmp:
        proj = Path(tmp)
        make_project(proj, opts.files)
        if opts.no_other_plugins:
            env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
            load = ["-p", "pytest_dbaudit.plugin"]
            variants = {"plugin": load, "no_plugin": [], "audit": load + ["--dbaudit"]}
        else:
            variants = {"plugin": [], "no_plugin": ["-p", "no:dbaudit"], "audit": ["--dbaudit"]}
        outputs = {name: run(args, proj, env)[2] for name, args in variants.items()}  # warm-up, .pyc files
        wall: dict[str, list[float]] = {name: [] for name in variants}
        cpu: dict[str, list[float]] = {name: [] for name in variants}
        for i in range(opts.runs):  # interleaved, the order reversed every other round
            for name in list(variants) if i % 2 == 0 else list(reversed(variants)):
                w, c, _ = run(variants[name], proj, env)
                wall[name].append(w)
                cpu[name].append(c)

    plugin, bare, audit = (stats(wall[k], cpu[k]) for k in ("plugin", "no_plugin", "audit"))
    tests = collected(outputs["no_plugin"])
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "python": platform.python_version(),
        "pytest": pytest.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "runs": opts.runs,
        "test_files": opts.files,
        "other_plugins": not opts.no_other_plugins,
        "tests_collected": tests,
        "without_dbaudit": {
            "plugin": plugin,
            "no_plugin": bare,
            # median of the per-round differences: steadier than a difference of medians on a busy machine
            "overhead_median_ms": paired(wall),
            "overhead_min_ms": round(plugin["min_ms"] - bare["min_ms"], 1),
            "overhead_cpu_median_ms": paired(cpu),
            "import_cost_us": import_cost_us(env),
            "heavy_modules_imported": heavy_imports(env),
        },
        "with_dbaudit": {
            **audit,
            "audit_items": collected(outputs["audit"]) - tests,
            "extra_ms_median": round(audit["median_ms"] - plugin["median_ms"], 1),
        },
    }
    a, b = result["without_dbaudit"], result["with_dbaudit"]

    print(f"pytest-dbaudit collection overhead: Python {result['python']}, pytest {result['pytest']}, "
          f"{result['cpus']} CPUs, {opts.runs} runs, {opts.files} files / {tests} tests"
          + (", no other plugins" if opts.no_other_plugins else ""))
    overhead = {"median_ms": a["overhead_median_ms"], "min_ms": a["overhead_min_ms"],
                "cpu_median_ms": a["overhead_cpu_median_ms"]}
    rows = [("baseline: plugin not loaded", bare), ("plugin loaded, no --dbaudit", plugin),
            ("  overhead (paired)", overhead), (f"--dbaudit ({b['audit_items']} audit items)", audit)]
    print(f"{'variant':<34}{'median ms':>10}{'min ms':>10}{'cpu ms':>10}")
    for label, r in rows:
        print(f"{label:<34}{r['median_ms']:>10.1f}{r['min_ms']:>10.1f}{r['cpu_median_ms']:>10.1f}")
    print(f"import pytest_dbaudit.plugin (excl. pytest): {a['import_cost_us']} µs; "
          f"heavy modules imported: {', '.join(a['heavy_modules_imported']) or 'none'}")

    if opts.json:
        Path(opts.json).write_text(json.dumps(result, indent=2) + "\n")
    if a["heavy_modules_imported"]:
        print(f"FAIL: importing pytest_dbaudit.plugin imports {', '.join(a['heavy_modules_imported'])}")
        return 2
    if opts.max_overhead_ms is not None and a["overhead_median_ms"] > opts.max_overhead_ms:
        print(f"FAIL: overhead {a['overhead_median_ms']} ms > --max-overhead-ms {opts.max_overhead_ms}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
