"""How shapes and other per-mode values (dtypes) are shown in messages."""

from __future__ import annotations


def show_shape(shape) -> str:
    """[4, ?, 3]; '?' for an unknown shape."""
    return "?" if shape is None else "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def show(value) -> str:
    """A shape as show_shape does, anything else (a dtype, None) as str()."""
    return show_shape(value) if isinstance(value, tuple) else str(value)
