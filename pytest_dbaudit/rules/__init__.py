"""Built-in check implementations, one module per audit section; importing registers them."""

from . import migrations, schema, security, technology  # noqa: F401
