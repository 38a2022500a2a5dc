"""PostgreSQL live probes: architecture."""

from __future__ import annotations
