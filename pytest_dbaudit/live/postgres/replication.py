"""PostgreSQL live probes: replication."""

from __future__ import annotations
