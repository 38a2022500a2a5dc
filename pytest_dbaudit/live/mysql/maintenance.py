"""MySQL and MariaDB live probes: maintenance."""

from __future__ import annotations
