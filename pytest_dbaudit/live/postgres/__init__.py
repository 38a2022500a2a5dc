"""PostgreSQL live probes, one module per audit topic; importing registers them."""

from . import (  # noqa: F401
    architecture, backup, capacity, maintenance, monitoring, performance, replication, security, technology,
)
