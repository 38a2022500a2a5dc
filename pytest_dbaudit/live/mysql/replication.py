"""MySQL and MariaDB live probes: replication."""

from __future__ import annotations
