"""MySQL and MariaDB live probes: capacity."""

from __future__ import annotations
