"""Errors that end a run with exit status 2 (usage or input problems)."""


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""

    exit_code = 2
