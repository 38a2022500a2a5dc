"""Live databases: read-only connections (connection.py), the preflight of what the audit role can
see (preflight.py), probes registered per catalog item (probe.py) and the probes themselves, one
module per engine and topic (postgres/, mysql/, sqlite.py)."""

from .connection import LiveDatabase, classify_error, connect

__all__ = ["LiveDatabase", "classify_error", "connect"]
