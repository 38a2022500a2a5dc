"""PostgreSQL live probes: monitoring."""

from __future__ import annotations
