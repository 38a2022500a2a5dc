"""MySQL and MariaDB live probes: security."""

from __future__ import annotations
