"""Errors that end a run with exit status 2 (usage or input problems)."""


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""

    exit_code = 2


def first_line(exc: BaseException) -> str:
    """An exception's message as one line (a KeyError's without the quotes repr adds)."""
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return text.strip().splitlines()[0] if text.strip() else ""
