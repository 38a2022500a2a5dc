"""The built-in catalog covers both seed documents, line by line, and follows the numbering rules.

The seed documents are copied into tests/data/seeds/ so the test runs from a bare checkout.
Every checklist line, roadmap/training line and metric-table row of seed 000, and every phase
bullet and best practice of seed 001, is extracted with the normalisation described below and
must appear in some item's ``seed_lines``; every ``seed_lines`` entry must be such a line.

Normalisation of a Markdown line: drop the indentation and the leading "- [ ] " or "- ",
remove every "**", collapse runs of whitespace to one space, strip.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from pytest_dbaudit.catalog import load_catalog

HERE = Path(__file__).resolve().parent
SEEDS = HERE / "data" / "seeds"
SEED_000 = "000_e7c47d3ae7bd72f4.txt"
SEED_001 = "001_956931cabcdb0540.txt"
SHARED_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SHARED_REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"

# (order, prefix, name, title) of the thirteen sections.
SECTIONS = [
    (1, "TV", "technology", "Database Technology & Version"),
    (2, "AT", "architecture", "Database Architecture & Topology"),
    (3, "PF", "performance", "Database Performance"),
    (4, "SD", "schema", "Database Schema & Design"),
    (5, "MG", "migrations", "Database Migrations & Version Control"),
    (6, "BR", "backup", "Backup & Recovery"),
    (7, "HA", "high_availability", "High Availability & Disaster Recovery"),
    (8, "MO", "monitoring", "Monitoring & Observability"),
    (9, "SE", "security", "Security & Access Control"),
    (10, "CA", "capacity", "Capacity Planning & Scaling"),
    (11, "IN", "inventory", "Inventory & Dependency Mapping"),
    (12, "CF", "configuration", "Configuration Review & Drift"),
    (13, "CH", "change", "Change & Incident Management"),
]

# Counted by hand from the seed documents; a broken extractor cannot pass vacuously.
EXPECTED_000_CHECKLIST = {1: 9, 2: 10, 3: 12, 4: 12, 5: 10, 6: 11, 7: 10, 8: 11, 9: 11, 10: 10}
EXPECTED_000_OTHER = {"roadmap": 16, "training": 4, "metric": 7, "success": 5, "recovery": 3}
EXPECTED_001_PHASES = {0: 16, 1: 16, 2: 13, 3: 10, 4: 12, 5: 9, 6: 8, 7: 8, 8: 6}
EXPECTED_001_BEST_PRACTICES = 6

# Items the code implements now: their modes are fixed.
MANDATORY_MODES = {
    "TV-03": {"static", "live"},
    "SD-03": {"static", "live", "drill"},  # drill: the database the migrations build
    "MG-01": {"static"},
    "MG-04": {"static", "drill"},
    "SE-07": {"static", "live"},
    "SE-11": {"static"},
}

# Spot checks of the seed-order numbering named in the project brief.
NUMBERING_SPOT_CHECKS = {
    "TV-03": "000 §1: Version support status: Actively Supported / Extended Support / EOL / Unknown",
    "SD-03": "000 §4: Primary keys on all tables",
    "MG-01": "000 §5: Migration tool: Flyway / Liquibase / Alembic / ActiveRecord / Entity Framework / Other: ______",
    "MG-04": "000 §5: Rollback strategy for failed migrations",
    "SE-07": "000 §9: No default passwords in use",
    "SE-11": "000 §9: Secrets management (Vault, AWS Secrets Manager)",
}


# --------------------------------------------------------------------------- extraction


def normalise(line: str) -> str:
    text = line.strip()
    if text.startswith("- [ ] "):
        text = text[len("- [ ] "):]
    elif text.startswith("- "):
        text = text[2:]
    text = text.replace("**", "")
    return " ".join(text.split())


def _blocks(lines: list[str], heading_re: str, stop_re: str) -> dict[str, list[str]]:
    """Map each heading matching heading_re (its first group) to the lines up to the next stop_re."""
    out: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        m = re.match(heading_re, line)
        if m:
            current = m.group(1)
            out[current] = []
            continue
        if current is not None and re.match(stop_re, line):
            current = None
        if current is not None:
            out[current].append(line)
    return out


def _table_rows(lines: list[str]) -> list[list[str]]:
    """Data rows of the first Markdown table in lines (header and separator dropped)."""
    rows: list[list[str]] = []
    in_table = False
    for line in lines:
        if line.startswith("|"):
            in_table = True
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif in_table:
            break
    assert len(rows) >= 2 and set(rows[1][0]) <= {"-", ":"}, "no Markdown table found"
    return rows[2:]


def extract_seed_000(text: str) -> dict[str, list[str]]:
    lines = text.splitlines()
    kinds: dict[str, list[str]] = {}
    sections = _blocks(lines, r"^### (\d+)\. ", r"^#{2,3} ")
    assert sorted(int(n) for n in sections) == list(range(1, 11))
    for number, body in sections.items():
        kinds[f"§{number}"] = [normalise(l) for l in body if l.startswith("- [ ] ")]

    roadmap = _blocks(lines, r"^## (Modernization Roadmap)", r"^## ")["Modernization Roadmap"]
    kinds["roadmap"] = [normalise(l) for l in roadmap if l.startswith("- [ ] ")]
    training = _blocks(lines, r"^### (Training Needs)", r"^#{2,3} ")["Training Needs"]
    kinds["training"] = [normalise(l) for l in training if l.startswith("- [ ] ")]

    metrics = _blocks(lines, r"^#### (Performance Metrics)", r"^#{2,4} ")["Performance Metrics"]
    kinds["metric"] = [normalise(f"{row[0]} {row[2]}") for row in _table_rows(metrics)]
    success = _blocks(lines, r"^### (Metrics to Track)", r"^#{2,3} ")["Metrics to Track"]
    kinds["success"] = [normalise(f"{row[0]} {row[2]}") for row in _table_rows(success)]
    recovery = _blocks(lines, r"^#### (Recovery Metrics)", r"^#{2,4} ")["Recovery Metrics"]
    kinds["recovery"] = [normalise(row[0]) for row in _table_rows(recovery)]
    return kinds


def extract_seed_001(text: str) -> dict[str, list[str]]:
    lines = text.splitlines()
    kinds: dict[str, list[str]] = {}
    for number, body in _blocks(lines, r"^## Phase (\d+):", r"^## ").items():
        kinds[f"phase {number}"] = [normalise(l) for l in body if l.lstrip().startswith("- ")]
    best = _blocks(lines, r"^## (Best Practices)", r"^## ")["Best Practices"]
    kinds["best practice"] = [normalise(l) for l in best if l.lstrip().startswith("- ")]
    return kinds


def seed_entries() -> dict[str, str]:
    """Every expected seed_lines entry -> its kind, e.g. "000 §3: Slow query logging enabled" -> "000 §3"."""
    entries: dict[str, str] = {}
    for doc, kinds in (
        ("000", extract_seed_000((SEEDS / SEED_000).read_text(encoding="utf-8"))),
        ("001", extract_seed_001((SEEDS / SEED_001).read_text(encoding="utf-8"))),
    ):
        for kind, texts in kinds.items():
            for text in texts:
                assert text, f"empty line extracted from {doc} {kind}"
                entries[f"{doc} {kind}: {text}"] = f"{doc} {kind}"
    return entries


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def seed_000():
    return extract_seed_000((SEEDS / SEED_000).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed_001():
    return extract_seed_001((SEEDS / SEED_001).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- seeds


@pytest.mark.parametrize("name", [SEED_000, SEED_001])
def test_seed_copies_are_byte_identical(name):
    if not SHARED_SEEDS.is_dir():
        pytest.skip(f"{SHARED_SEEDS} not present beside the repository")
    assert (SEEDS / name).read_bytes() == (SHARED_SEEDS / name).read_bytes()


def test_seed_000_extracted_counts(seed_000):
    counts = {k: len(v) for k, v in seed_000.items()}
    expected = {f"§{n}": c for n, c in EXPECTED_000_CHECKLIST.items()} | EXPECTED_000_OTHER
    assert counts == expected
    assert sum(counts.values()) == 141


def test_seed_000_extraction_samples(seed_000):
    assert seed_000["§1"][0] == "Database type: PostgreSQL / MySQL / MongoDB / DynamoDB / SQL Server / Oracle / Other: ______"
    assert seed_000["§3"][0] == "Query performance acceptable (P95: ______ ms)"
    assert seed_000["§4"][11] == "ERD (Entity Relationship Diagram) maintained"
    assert seed_000["metric"][1] == "Query Time (P95) <100ms"
    assert seed_000["metric"][4] == "Connection Count <80% max"
    assert seed_000["success"][3] == "Recovery Time (RTO) <1 hour"
    assert seed_000["recovery"] == ["RPO", "RTO", "Last Successful Restore"]
    assert seed_000["roadmap"][-1] == "Performance tuning"
    assert seed_000["training"][0] == "Advanced SQL and query optimization"


def test_seed_001_extracted_counts(seed_001):
    counts = {k: len(v) for k, v in seed_001.items()}
    expected = {f"phase {n}": c for n, c in EXPECTED_001_PHASES.items()}
    expected["best practice"] = EXPECTED_001_BEST_PRACTICES
    assert counts == expected
    assert sum(counts.values()) == 104


def test_seed_001_extraction_samples(seed_001):
    assert seed_001["phase 0"][0] == "System architecture documents (e.g., in /docs, wiki pages)"
    assert seed_001["phase 3"][-1] == "Config change history and audit logs"
    assert seed_001["phase 8"][-1] == "Track all findings, with status and timelines, in a central, versioned location"
    assert seed_001["best practice"][0] == "Maintain every artifact as ‘living’—versioned and routinely updated"
    assert all("**" not in t and not t.startswith("-") for ts in seed_001.values() for t in ts)


def test_seed_lines_are_unique_per_document():
    entries = seed_entries()
    assert len(entries) == 141 + 104, "two seed lines normalise to the same text"


# --------------------------------------------------------------------------- mapping


def test_every_seed_line_is_mapped(catalog):
    mapped = {line for item in catalog.items.values() for line in item.seed_lines}
    missing = [entry for entry in seed_entries() if entry not in mapped]
    assert not missing, "seed lines without a catalog item:\n" + "\n".join(missing)


def test_every_seed_lines_entry_is_a_real_seed_line(catalog):
    entries = seed_entries()
    bad = [f"{item.id}: {line}" for item in catalog.items.values() for line in item.seed_lines if line not in entries]
    assert not bad, "seed_lines entries that match no seed line:\n" + "\n".join(bad)


def test_no_item_repeats_a_seed_line(catalog):
    for item in catalog.items.values():
        dupes = [line for line, n in Counter(item.seed_lines).items() if n > 1]
        assert not dupes, f"{item.id} lists {dupes} twice"


def test_checklist_items_follow_seed_order(catalog, seed_000):
    """In sections 1-10, item PREFIX-i carries the i-th checklist line of the seed section."""
    for order, prefix, _name, _title in SECTIONS[:10]:
        for i, text in enumerate(seed_000[f"§{order}"], start=1):
            iid = f"{prefix}-{i:02d}"
            assert iid in catalog.items, f"{iid} missing"
            assert f"000 §{order}: {text}" in catalog.items[iid].seed_lines, f"{iid} must map {text!r}"


def test_checklist_lines_map_only_to_their_own_item(catalog, seed_000):
    for order, prefix, _name, _title in SECTIONS[:10]:
        for i, text in enumerate(seed_000[f"§{order}"], start=1):
            holders = [it.id for it in catalog.items.values() if f"000 §{order}: {text}" in it.seed_lines]
            assert holders == [f"{prefix}-{i:02d}"], f"§{order} line {text!r} mapped to {holders}"


def test_numbering_spot_checks(catalog):
    for iid, line in NUMBERING_SPOT_CHECKS.items():
        assert line in catalog.items[iid].seed_lines


def test_seed_001_phases_land_in_the_right_sections(catalog):
    home = {0: "IN", 1: "IN", 2: "IN", 3: "CF", 7: "CH", 8: "CH"}
    for item in catalog.items.values():
        prefix = item.id.split("-")[0]
        for line in item.seed_lines:
            m = re.match(r"001 phase (\d):", line)
            if m and int(m.group(1)) in home:
                assert prefix == home[int(m.group(1))], f"{item.id} maps {line!r}"
            if line.startswith("001 best practice:"):
                assert prefix == "CH", f"{item.id} maps {line!r}"
            if re.match(r"001 phase [456]:", line):
                assert prefix in {"BR", "PF", "MO", "SE"}, f"{item.id} maps {line!r}"


# --------------------------------------------------------------------------- structure


def test_sections_match_the_design(catalog):
    got = [(s.order, s.prefix, s.name, s.title) for s in catalog.sections.values()]
    assert got == SECTIONS
    for section in catalog.sections.values():
        assert section.description, f"section {section.name} has no description"
    for item in catalog.items.values():
        assert item.source == f"checks/{item.section}.yaml"


def test_ids_are_consecutive_within_each_section(catalog):
    for name, items in catalog.by_section().items():
        prefix = catalog.sections[name].prefix
        assert [it.id for it in items] == [f"{prefix}-{n:02d}" for n in range(1, len(items) + 1)], name


def test_every_section_has_a_level_2_item(catalog):
    for name, items in catalog.by_section().items():
        assert any(it.level == 2 for it in items), f"section {name} has no level-2 item"


def test_levels_are_spread(catalog):
    levels = Counter(it.level for it in catalog.items.values())
    assert all(levels[lvl] >= 5 for lvl in (2, 3, 4, 5)), levels


def test_metric_items_have_thresholds(catalog):
    for item in catalog.items.values():
        if any(re.match(r"000 (metric|success|recovery):", line) for line in item.seed_lines):
            assert item.thresholds, f"{item.id} maps a metric target but has no thresholds"


@pytest.mark.parametrize(
    "iid, key, value",
    [
        ("PF-01", "p95_ms", 100),
        ("PF-13", "p50_ms", 10),
        ("PF-14", "p99_ms", 500),
        ("PF-15", "slow_queries_per_s", 1),
        ("PF-16", "max_connection_ratio", 0.8),
        ("PF-17", "min_cache_hit_ratio", 0.95),
        ("PF-18", "min_index_usage_ratio", 0.9),
        ("HA-11", "min_uptime_ratio", 0.999),
        ("BR-06", "rto_minutes", 60),
        ("BR-12", "min_backup_success_ratio", 1.0),
    ],
)
def test_seed_metric_targets_are_the_defaults(catalog, iid, key, value):
    assert catalog.items[iid].thresholds[key] == value


def test_mandatory_modes(catalog):
    for iid, modes in MANDATORY_MODES.items():
        assert set(catalog.items[iid].modes) == modes, iid
        assert len(catalog.items[iid].modes) == len(modes), iid


def test_prose_is_substantial(catalog):
    for item in catalog.items.values():
        assert item.seed_lines, f"{item.id} has no seed_lines"
        assert len(item.rationale) >= 120, f"{item.id}: rationale too short"
        assert len(item.remediation) >= 80, f"{item.id}: remediation too short"
        assert len(item.title) <= 80, f"{item.id}: title too long"


def test_reference_ids_exist_in_the_reference_catalogs(catalog):
    """static:/live: references name ids that the reference catalogs define."""
    if not SHARED_REFERENCE.is_dir():
        pytest.skip(f"{SHARED_REFERENCE} not present beside the repository")
    static = (SHARED_REFERENCE / "anchors-static.md").read_text(encoding="utf-8")
    live = (SHARED_REFERENCE / "anchors-live-checks.md").read_text(encoding="utf-8")
    migrations = (SHARED_REFERENCE / "anchors-migrations.md").read_text(encoding="utf-8")
    bad = []
    for item in catalog.items.values():
        for ref in item.references:
            kind, _, rid = ref.partition(":")
            if kind == "static" and not re.search(rf"^\| {re.escape(rid)} \|", static, re.M):
                bad.append(f"{item.id}: {ref}")
            elif kind == "live" and not re.search(rf"^\| {re.escape(rid)} \|", live, re.M):
                bad.append(f"{item.id}: {ref}")
            elif kind == "migrations" and rid.split(" ", 1)[-1] not in migrations:
                bad.append(f"{item.id}: {ref}")
    assert not bad, "unknown reference ids:\n" + "\n".join(bad)
