"""SQLite live probes (no anchor tool covers SQLite; every item here is new)."""
