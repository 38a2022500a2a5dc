"""PostgreSQL live probes: performance."""

from __future__ import annotations
