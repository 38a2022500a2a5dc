"""pytest-dbaudit: a database-infrastructure audit as a pytest run."""

__version__ = "0.1.0"
