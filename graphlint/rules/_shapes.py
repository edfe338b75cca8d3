"""How shapes and other per-mode values are shown in messages."""

from __future__ import annotations


def _fmt(value):
    return "[" + ", ".join("?" if d is None else str(d) for d in value) + "]" if isinstance(value, tuple) else str(value)


def _shape(shape):
    return "?" if shape is None else "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"
