"""Dated, offline end-of-life table for database engines.

No network lookups: an audit must give the same answer in an air-gapped CI. The table carries the
date it was compiled; a version newer than every entry is "unknown" (the table is stale), never
a pass. Sources: the PostgreSQL versioning policy (5 years per major), Oracle's MySQL lifetime
policy (LTS: 5+3 years; Innovation: until the next release), the MariaDB maintenance policy, and
for SQLite, which publishes no support periods, 5 years from a release's date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

TABLE_DATE = dt.date(2026, 11, 22)
D = dt.date.fromisoformat

# (major, minor) series -> (release date, end of community support)
EOL: dict[str, dict[tuple[int, int], tuple[dt.date, dt.date]]] = {
    "postgresql": {
        (9, 4): (D("2014-12-18"), D("2020-02-13")), (9, 5): (D("2016-01-07"), D("2021-02-11")),
        (9, 6): (D("2016-09-29"), D("2021-11-11")), (10, 0): (D("2017-10-05"), D("2022-11-10")),
        (11, 0): (D("2018-10-18"), D("2023-11-09")), (12, 0): (D("2019-10-03"), D("2024-11-21")),
        (13, 0): (D("2020-09-24"), D("2025-11-13")), (14, 0): (D("2021-09-30"), D("2026-11-12")),
        (15, 0): (D("2022-10-13"), D("2027-11-11")), (16, 0): (D("2023-09-14"), D("2028-11-09")),
        (17, 0): (D("2024-09-26"), D("2029-11-08")), (18, 0): (D("2025-09-25"), D("2030-11-14")),
    },
    "mysql": {
        (5, 6): (D("2013-02-05"), D("2021-02-28")), (5, 7): (D("2015-10-21"), D("2023-10-31")),
        (8, 0): (D("2018-04-19"), D("2026-04-30")), (8, 1): (D("2023-07-18"), D("2023-10-25")),
        (8, 2): (D("2023-10-25"), D("2024-01-16")), (8, 3): (D("2024-01-16"), D("2024-04-30")),
        (8, 4): (D("2024-04-30"), D("2032-04-30")), (9, 0): (D("2024-07-01"), D("2024-10-15")),
        (9, 1): (D("2024-10-15"), D("2025-01-21")), (9, 2): (D("2025-01-21"), D("2025-04-15")),
        (9, 3): (D("2025-04-15"), D("2025-07-22")), (9, 4): (D("2025-07-22"), D("2025-10-21")),
        (9, 5): (D("2025-10-21"), D("2026-01-20")), (9, 6): (D("2026-01-20"), D("2026-04-21")),
        (9, 7): (D("2026-04-21"), D("2034-04-30")),
    },
    "mariadb": {
        (10, 3): (D("2018-05-25"), D("2023-05-25")), (10, 4): (D("2019-06-18"), D("2024-06-18")),
        (10, 5): (D("2020-06-24"), D("2025-06-24")), (10, 6): (D("2021-07-06"), D("2026-07-06")),
        (10, 11): (D("2023-02-16"), D("2028-02-16")), (11, 0): (D("2023-06-06"), D("2024-06-06")),
        (11, 1): (D("2023-08-21"), D("2024-08-21")), (11, 2): (D("2023-11-21"), D("2024-11-21")),
        (11, 3): (D("2024-02-16"), D("2025-05-29")), (11, 4): (D("2024-05-29"), D("2029-05-29")),
        (11, 5): (D("2024-08-14"), D("2025-08-14")), (11, 6): (D("2024-11-21"), D("2025-11-21")),
        (11, 7): (D("2025-02-12"), D("2026-02-12")), (11, 8): (D("2025-06-04"), D("2028-06-04")),
    },
    "sqlite": {
        (3, 31): (D("2020-01-22"), D("2025-01-22")), (3, 34): (D("2020-12-01"), D("2025-12-01")),
        (3, 35): (D("2021-03-12"), D("2026-03-12")), (3, 36): (D("2021-06-18"), D("2026-06-18")),
        (3, 37): (D("2021-11-27"), D("2026-11-27")), (3, 38): (D("2022-02-22"), D("2027-02-22")),
        (3, 39): (D("2022-06-25"), D("2027-06-25")), (3, 40): (D("2022-11-16"), D("2027-11-16")),
        (3, 41): (D("2023-02-21"), D("2028-02-21")), (3, 42): (D("2023-05-16"), D("2028-05-16")),
        (3, 43): (D("2023-08-24"), D("2028-08-24")), (3, 44): (D("2023-11-01"), D("2028-11-01")),
        (3, 45): (D("2024-01-15"), D("2029-01-15")), (3, 46): (D("2024-05-23"), D("2029-05-23")),
        (3, 47): (D("2024-10-21"), D("2029-10-21")), (3, 48): (D("2025-01-14"), D("2030-01-14")),
        (3, 49): (D("2025-02-06"), D("2030-02-06")), (3, 50): (D("2025-05-29"), D("2030-05-29")),
    },
}


# Newest minor release of each series on TABLE_DATE, as packaged in Debian's archive that day (sid,
# forky, trixie-security, bookworm-security); Debian ships upstream minors within days. Series not
# listed here: the minor lag is decided live, not guessed.
NEWEST_MINOR: dict[str, dict[tuple[int, int], str]] = {
    "postgresql": {(18, 0): "18.6", (17, 0): "17.12", (16, 0): "16.16", (15, 0): "15.20", (14, 0): "14.25"},
    "mariadb": {(11, 8): "11.8.9", (10, 11): "10.11.19"},
    "mysql": {(9, 7): "9.7.4"},
}


def minor_lag(engine: str, version: str) -> tuple[str, str] | None:
    """(status, newest) for a version with a minor number: status is "current", "behind" or "unknown"
    (the series has no entry); None when the version names only a major (it follows the newest minor)."""
    parts = re.findall(r"\d+", version)
    series = series_of(engine, version)
    if series is None or len(parts) < (2 if engine == "postgresql" and series[0] >= 10 else 3):
        return None
    newest = NEWEST_MINOR.get(engine, {}).get(series)
    if newest is None:
        return "unknown", ""
    mine = tuple(int(x) for x in parts[:len(newest.split("."))])
    return ("current" if mine >= tuple(int(x) for x in newest.split(".")) else "behind"), newest


@dataclass(frozen=True)
class Support:
    engine: str
    version: str
    series: tuple[int, int] | None
    status: str  # "supported" | "eol" | "unknown"
    eol_date: dt.date | None = None
    detail: str = ""


def series_of(engine: str, version: str) -> tuple[int, int] | None:
    m = re.match(r"\s*(\d+)(?:\.(\d+))?", version)
    if not m:
        return None
    major, minor = int(m.group(1)), int(m.group(2) or 0)
    if engine == "postgresql" and major >= 10:
        return (major, 0)  # from 10 on, the first number is the major version
    return (major, minor)


def support_of(engine: str, version: str, today: dt.date | None = None) -> Support:
    today = today or dt.date.today()
    table = EOL.get(engine)
    series = series_of(engine, version)
    if table is None or series is None:
        return Support(engine, version, series, "unknown", detail=f"no end-of-life data for {engine} {version!r}")
    label = ".".join(map(str, series)) if not (engine == "postgresql" and series[0] >= 10) else str(series[0])
    if series in table:
        released, eol = table[series]
        if today > eol:
            return Support(engine, version, series, "eol", eol, f"{engine} {label} reached end of life on {eol}")
        return Support(engine, version, series, "supported", eol, f"{engine} {label} is supported until {eol}")
    if engine == "sqlite":
        known = sorted(table)
        if series < known[0]:
            return Support(engine, version, series, "eol", None,
                           f"sqlite {label} is older than {known[0][0]}.{known[0][1]}, released over 5 years ago")
        # A series between two entries inherits the support window of the one before it.
        prior = max(s for s in known if s < series) if series < known[-1] else None
        if prior:
            released, eol = table[prior]
            status = "eol" if today > eol else "supported"
            return Support(engine, version, series, status, eol, f"sqlite {label}: support window ends around {eol}")
    if series > max(table):
        return Support(engine, version, series, "unknown", None,
                       f"{engine} {label} is newer than the end-of-life table (compiled {TABLE_DATE}); "
                       "upgrade pytest-dbaudit to decide")
    oldest = min(table)
    if series < oldest:
        return Support(engine, version, series, "eol", table[oldest][1],
                       f"{engine} {label} is older than {'.'.join(map(str, oldest))}, which reached end of life on {table[oldest][1]}")
    return Support(engine, version, series, "unknown", None, f"{engine} {version} is not a release series in the table")
