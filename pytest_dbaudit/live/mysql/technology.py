"""MySQL and MariaDB live probes: technology."""

from __future__ import annotations
