"""PostgreSQL live probes: backup."""

from __future__ import annotations
