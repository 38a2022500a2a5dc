"""Static audit of a generated repository: time, and proof that every file is read and parsed once.

    python benchmarks/static_scale.py [--files 20000] [--json PATH] [--max-seconds 10]

Generates a repository (Python, TypeScript, SQL, YAML, Terraform, Markdown, a node_modules tree
that must be skipped), then runs every static check of the catalog through the plugin's own
Audit, in one process, as `pytest --dbaudit -m dbaudit_static` does.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pytest_dbaudit.audit import Audit, Options  # noqa: E402
from pytest_dbaudit.sources.walk import Repository  # noqa: E402

TEMPLATES = {
    ".py": "from sqlalchemy import Column, Integer\nimport os\nURL = os.environ['DATABASE_URL']\n\ndef f{n}(x):\n    return x * {n}\n",
    ".ts": "import {{ Entity }} from 'typeorm';\nexport const v{n} = {n};\n",
    ".sql": "CREATE TABLE t{n} (id bigint PRIMARY KEY, name text);\n",
    ".yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg{n}\ndata:\n  key: value{n}\n",
    ".tf": 'resource "aws_db_instance" "db{n}" {{\n  engine = "postgres"\n  engine_version = "16.4"\n'
           '  backup_retention_period = 7\n  deletion_protection = true\n  storage_encrypted = true\n}}\n',
    ".md": "# Notes {n}\n\nNothing here.\n",
}


def generate(root: Path, files: int) -> None:
    rnd = random.Random(42)
    kinds = list(TEMPLATES)
    weights = [40, 25, 10, 15, 2, 8]
    for n in range(files):
        ext = rnd.choices(kinds, weights)[0]
        path = root / f"pkg{n % 97}" / f"mod{n % 13}" / f"f{n}{ext}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TEMPLATES[ext].format(n=n))
    (root / "docker-compose.yml").write_text("services:\n  db:\n    image: postgres:16.4\n  api:\n    build: .\n"
                                             "    environment:\n      DB_HOST: db\n")
    nm = root / "node_modules" / "pkg"
    nm.mkdir(parents=True)
    for n in range(500):
        (nm / f"x{n}.js").write_text("module.exports = 1;\n")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=20000)
    ap.add_argument("--json")
    ap.add_argument("--max-seconds", type=float)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dbaudit-scale-"))
    try:
        generate(tmp, args.files)
        reads: Counter[str] = Counter()
        real_text = Repository.text

        def counting_text(self, rel):
            if rel not in self._text:
                reads[rel] += 1  # a disk read; later calls are served from the cache
            return real_text(self, rel)

        Repository.text = counting_text
        start = time.perf_counter()
        audit = Audit(Options(repo=tmp, rootdir=tmp))
        static = [p for p in audit.plan() if p.mode == "static"]
        outcomes = Counter()
        for p in static:
            result, _ = audit.run(p.item, p.mode, p.target)
            outcomes[result.outcome.value] += 1
        elapsed = time.perf_counter() - start
        repo = audit.repository()
        parses = Counter(k.split(":", 1)[1] for k in repo.models() if ":" in k)
        numbers = {
            "files_generated": args.files + 501, "files_walked": repo.stats.files, "static_checks": len(static),
            "seconds": round(elapsed, 2), "max_reads_per_file": max(reads.values(), default=0),
            "files_read": len(reads), "max_parses_per_file": max(parses.values(), default=0),
            "files_parsed": len(parses), "outcomes": dict(outcomes),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for k, v in numbers.items():
        print(f"{k:22} {v}")
    if args.json:
        Path(args.json).write_text(json.dumps(numbers, indent=2))
    if numbers["max_reads_per_file"] > 1 or numbers["max_parses_per_file"] > 1:
        print("a file was read or parsed more than once", file=sys.stderr)
        return 2
    if args.max_seconds is not None and numbers["seconds"] > args.max_seconds:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
