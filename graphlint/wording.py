"""Counts in messages agree with their number: '1 op ... exists', '2 ops ... exist'."""

from __future__ import annotations


def count(n: int, noun: str, plural: str = "") -> str:
    """'1 error', '2 errors', '0 errors'; `plural` for nouns without an s ('info')."""
    return f"{n} {agree(n, noun, plural or noun + 's')}"


def agree(n: int, singular: str, plural: str) -> str:
    """The word that goes with n things: agree(n, 'exists', 'exist'), agree(n, 'it was', 'they were')."""
    return singular if n == 1 else plural
