"""PostgreSQL live probes: maintenance."""

from __future__ import annotations
