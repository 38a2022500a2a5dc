"""MySQL and MariaDB live probes: architecture."""

from __future__ import annotations
