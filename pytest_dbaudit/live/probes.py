"""Import every live probe module (registration happens on import)."""

from . import common, sqlite  # noqa: F401
from . import mysql, postgres  # noqa: F401
