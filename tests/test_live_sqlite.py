"""SQLite live probes on real files: a known-bad file, a known-good twin, and planted corruption."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pytest_dbaudit.audit import Audit, Options

ITEMS = ["CF-04", "SD-04", "PF-12", "MO-08", "PF-07", "TV-02", "MG-03"]
LITE_PROBES = {"CF-04": "lite.integrity", "SD-04": "lite.foreign-key-check", "PF-12": "lite.journal-mode",
               "MO-08": "lite.freelist", "PF-07": "lite.analyze-stats", "TV-02": "lite.writer-version",
               "MG-03": "lite.migration-ledger"}


def _audit(path: Path, workdir: Path, config: str = "") -> dict:
    workdir.mkdir(exist_ok=True)
    if config:
        (workdir / "dbaudit.yaml").write_text(config)
    a = Audit(Options(repo=workdir, rootdir=workdir, dbs=[f"sqlite:///{path}"]))
    try:
        t = a.live_targets[0]
        return {i: a.run(a.catalog.items[i], "live", t)[0] for i in ITEMS}
    finally:
        a.close()


def _part(results: dict, item: str) -> dict:
    return next(p for p in results[item].parts if p["probe"] == LITE_PROBES[item])


def _bad(path: Path) -> None:
    """Rollback journal, orphan rows, most pages free, indexed tables never analysed, no ledger."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total REAL);
        CREATE INDEX orders_customer ON orders(customer_id);
        CREATE TABLE scratch (id INTEGER PRIMARY KEY, pad BLOB);
        INSERT INTO customers VALUES (1, 'a');
        INSERT INTO orders (customer_id, total) VALUES (1, 10), (7, 20), (8, 30), (8, 40);
    """)  # foreign_keys is off by default: the orphans go in, as they do in applications that forget it
    conn.executemany("INSERT INTO scratch (pad) VALUES (zeroblob(3000))", [()] * 1500)
    conn.commit()
    conn.execute("DELETE FROM scratch")
    conn.commit()
    conn.close()


def _good(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript("""
        CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT) STRICT;
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total REAL) STRICT;
        CREATE INDEX orders_customer ON orders(customer_id);
        INSERT INTO customers VALUES (1, 'a'), (2, 'b');
        INSERT INTO orders (customer_id, total) VALUES (1, 10), (2, 20), (2, 30);
        PRAGMA user_version = 4;
        ANALYZE;
    """)
    conn.commit()
    conn.close()


def test_bad_file_fails_and_good_twin_passes(tmp_path):
    bad, good = tmp_path / "bad.db", tmp_path / "good.db"
    _bad(bad)
    _good(good)
    b = _audit(bad, tmp_path / "w1")
    g = _audit(good, tmp_path / "w2")
    for item in ("SD-04", "PF-12", "MO-08", "PF-07", "MG-03"):
        assert _part(b, item)["outcome"] == "fail", (item, b[item])
        assert _part(g, item)["outcome"] == "pass", (item, g[item])
    assert [f.message for f in b["SD-04"].findings if "reference missing" in f.message] == [
        "3 row(s) of orders reference missing rows of customers"]
    assert b["PF-12"].findings[0].message.startswith("journal_mode is delete")
    assert " pages (" in b["MO-08"].findings[0].message and b["MO-08"].findings[0].message.endswith("%) are free")
    assert "ANALYZE has never run" in b["PF-07"].findings[0].message
    assert "no migration ledger" in b["MG-03"].findings[0].message
    # both files are intact
    assert _part(b, "CF-04")["outcome"] == _part(g, "CF-04")["outcome"] == "pass"
    assert any("2 of 2 table(s) are STRICT" in e for e in g["CF-04"].evidence)
    assert any("0 of 3 table(s) are STRICT" in e for e in b["CF-04"].evidence)
    # synchronous lives in each connection, not in the file: honest unknown, never pass
    sync = next(p for p in g["CF-04"].parts if p["probe"] == "lite.synchronous")
    assert sync["outcome"] == "unknown" and "per connection" in sync["reason"]
    assert g["CF-04"].outcome.value == "unknown"


def test_writer_version_reads_the_file_header(tmp_path):
    path = tmp_path / "v.db"
    _good(path)
    res = _audit(path, tmp_path / "w")
    assert _part(res, "TV-02")["outcome"] == "pass"
    assert any(f"last written by SQLite {sqlite3.sqlite_version}" in e for e in res["TV-02"].evidence)
    high = _audit(path, tmp_path / "w2", "thresholds:\n  TV-02:\n    sqlite_min_version: '99.0.0'\n")
    assert _part(high, "TV-02")["outcome"] == "fail"
    assert high["TV-02"].findings[0].observed == sqlite3.sqlite_version


def _index_key_mismatch(path: Path) -> None:
    """Structurally sound file whose index disagrees with its table: only integrity_check sees it."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("CREATE INDEX t_name ON t(name)")
    conn.executemany("INSERT INTO t (name) VALUES (?)", [(f"name-{i:06d}",) for i in range(3000)])
    conn.commit()
    conn.close()
    data = bytearray(path.read_bytes())
    i = data.index(b"name-001500", 4096)  # the index entry (the table row is found first only if on page 1)
    while data[(i // 4096) * 4096] != 0x0A:  # leaf index page
        i = data.index(b"name-001500", i + 1)
    data[i:i + 11] = b"name-001501"
    path.write_bytes(bytes(data))


def _broken_page(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, pad TEXT)")
    conn.executemany("INSERT INTO t (pad) VALUES (?)", [("x" * 200,) for _ in range(2000)])
    conn.commit()
    conn.close()
    data = bytearray(path.read_bytes())
    data[4096 * 5] = 0x55  # page 6: no longer a valid b-tree page type
    path.write_bytes(bytes(data))


def test_corruption_is_found(tmp_path):
    broken = tmp_path / "broken.db"
    _broken_page(broken)
    with pytest.raises(sqlite3.DatabaseError, match="malformed"):  # the plant is real
        sqlite3.connect(broken).execute("PRAGMA quick_check").fetchall()
    res = _audit(broken, tmp_path / "w1")
    assert _part(res, "CF-04")["outcome"] == "fail"  # not unknown: the damage is the answer
    assert res["CF-04"].findings[0].severity == "Critical"
    assert res["CF-04"].findings[0].message.startswith("PRAGMA quick_check could not finish: ")
    assert "malformed" in res["CF-04"].findings[0].message

    mismatch = tmp_path / "mismatch.db"
    _index_key_mismatch(mismatch)
    assert sqlite3.connect(mismatch).execute("PRAGMA quick_check").fetchone()[0] == "ok"
    cheap = _audit(mismatch, tmp_path / "w2")
    assert _part(cheap, "CF-04")["outcome"] == "pass"  # quick_check does not compare indexes with tables
    full = _audit(mismatch, tmp_path / "w3", "live:\n  expensive: true\n")
    assert _part(full, "CF-04")["outcome"] == "fail"
    assert "missing from index t_name" in full["CF-04"].findings[0].message


def test_file_is_not_modified(tmp_path):
    path = tmp_path / "ro.db"
    _bad(path)
    before = path.read_bytes()
    _audit(path, tmp_path / "w")
    assert path.read_bytes() == before


@pytest.mark.parametrize("empty", [True, False])
def test_nothing_to_check_is_not_applicable(tmp_path, empty):
    path = tmp_path / "e.db"
    conn = sqlite3.connect(path)
    if not empty:
        conn.execute("CREATE TABLE solo (id INTEGER PRIMARY KEY, v TEXT)")  # no FK, no index
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    res = _audit(path, tmp_path / "w")
    assert _part(res, "SD-04")["outcome"] == "not-applicable"
    assert _part(res, "PF-07")["outcome"] == "not-applicable"
    assert _part(res, "MG-03")["outcome"] == ("not-applicable" if empty else "pass")


def test_end_to_end_through_pytest(pytester, audit, tmp_path):
    path = tmp_path / "bad.db"
    _bad(path)
    run = audit("--dbaudit-db", f"sqlite:///{path}", "-m", "dbaudit_live", "-k", "SD-04 or PF-12 or MG-03")
    label = f"sqlite:///{path}"
    assert run.outcome(f"PF-12[{label}]") == "fail"
    parts = {p["probe"]: p["outcome"] for p in run.item(f"SD-04[{label}]")["parts"]}
    assert parts["lite.foreign-key-check"] == "fail"
    assert run.outcome(f"MG-03[{label}]") == "fail"
