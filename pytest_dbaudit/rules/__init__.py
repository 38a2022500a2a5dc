"""Built-in check implementations, one module per audit section; importing registers them."""

from . import (  # noqa: F401
    architecture, backup, capacity, configuration, high_availability, inventory, migrations, monitoring, performance, schema,
    security, technology,
)
