"""The audit hook (sys.addaudithook) that sees which files the user's code reads
(graphlint/model/reads.py). It is Python's, not TensorFlow's, but it is the same kind of
process-wide change, so the room keeps it: installed once, on first use, and left in place
(audit hooks cannot be removed: state.permanent); with no block open it returns at once.
"""

from __future__ import annotations

import contextlib
import os
import sys

from graphlint.tfpatch.state import room

_recorders = []  # the sets receiving paths while a `reading()` block is open
_installed = []  # [True] once the hook is installed
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _hook(event, args) -> None:
    if not _recorders:  # the hook stays installed for good: keep it cheap
        return
    try:
        if event == "open":
            path, mode, flags = args
            if mode is not None and any(c in mode for c in "wax+"):
                return
            if mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS:
                return
        elif event == "exec":
            path = getattr(args[0], "co_filename", None)
        else:
            return
        if isinstance(path, (str, bytes)):
            path = os.path.abspath(os.fsdecode(path))
            for found in _recorders:
                found.add(path)
    except Exception:  # noqa: BLE001 - an audit hook must never break the user's code
        pass


@contextlib.contextmanager
def reading():
    """Collect the paths opened for reading (or exec'd from a file) inside the block, in this
    process, into the yielded set."""
    if not _installed:
        sys.addaudithook(_hook)
        _installed.append(True)
    found = set()
    with room():
        _recorders.append(found)
        try:
            yield found
        finally:
            _recorders.remove(found)
