"""PostgreSQL live probes: technology."""

from __future__ import annotations
