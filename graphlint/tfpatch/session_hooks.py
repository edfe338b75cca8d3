"""SessionRunHook.__new__ (tensorflow.python.training.session_run_hook.SessionRunHook), set once.

Findings about a hook point at the user's `LoggingTensorHook(...)` line, not into TensorFlow:
so while a watch is open (model_fn runs, or a training program does), each SessionRunHook made
is handed to it at construction. The __new__ is installed on first use and left in place:
CPython cannot take a __new__ back off a class (object.__new__ then rejects constructor
arguments: state.permanent), and with no watch open it does just what object.__new__ does.

The room keeps the open watches here, and the watches whose hooks reach later builds (a training
program's hooks, passed to train() and built after the program ran).
"""

from __future__ import annotations

import contextlib

from graphlint.tfpatch.state import room

_open = []  # the watches of the open noting() blocks, innermost last
_kept = []  # the watches of the open keeping() blocks


def _new(cls, *args, **kwargs):
    hook = object.__new__(cls)
    if _open:
        _open[-1].note(hook)
    return hook


def _install() -> None:
    from tensorflow.python.training.session_run_hook import SessionRunHook

    if SessionRunHook.__dict__.get("__new__") is None:
        SessionRunHook.__new__ = staticmethod(_new)


@contextlib.contextmanager
def noting(watch):
    """While open, watch.note(hook) is called for each SessionRunHook constructed (by the innermost
    block's watch only)."""
    with room():
        _install()
        _open.append(watch)
        try:
            yield watch
        finally:
            _open.remove(watch)


@contextlib.contextmanager
def keeping(watch):
    """While open, kept() includes `watch`: the hooks it noted keep their construction sites."""
    with room():
        _kept.append(watch)
        try:
            yield watch
        finally:
            _kept.remove(watch)


def kept() -> tuple:
    return tuple(_kept)
