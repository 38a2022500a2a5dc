"""Built-in check implementations, one module per audit section; importing registers them."""

from . import (  # noqa: F401
    architecture, backup, capacity, configuration, high_availability, inventory, migrations, monitoring, performance, schema,
    security, technology,
)
from ..live import probes  # noqa: F401,E402  (live probes register under their catalog items)
