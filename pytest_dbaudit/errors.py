"""Exceptions that end a run with one clear message (bad catalog, bad config, bad option)."""


class DbauditUsageError(Exception):
    """Raised for user input that makes the run meaningless; shown as one line, no traceback."""
