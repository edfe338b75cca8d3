"""graphlint explain: read a failed run's log, name the errors, and, given the model, diagnose them.

parser.py scans the log, kinds/ holds one module per kind of TensorFlow error (how to add one: its
docstring), rendering.py writes the text. Without --model this never imports TensorFlow: the log
parser is plain Python.
"""

from __future__ import annotations

import sys

from graphlint.errors import UsageError
from graphlint.explain.parser import LogError, parse_log
from graphlint.explain.rendering import explain_text, render

__all__ = ["LogError", "explain_text", "parse_log", "read_log", "render"]


def read_log(path: str) -> str:
    if path == "-":
        return sys.stdin.buffer.read().decode("utf-8", "replace")
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8", "replace")
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a log file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
