"""MySQL and MariaDB live probes: monitoring."""

from __future__ import annotations
