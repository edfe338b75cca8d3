"""The TF1 runtime: while active, TF1 code runs on TensorFlow 2 as it did on TF 1.15.

`import tensorflow as tf` gives the 1.x API (tf.compat.v1) with tf.contrib (api.py, contrib/), and
TensorFlow's global switches are 1.x's (graphlint/tfpatch/v1_behavior.py): graph mode, TensorShape
v1, v1 control flow, and ref variables unless the code asks for resource ones, because that is what TF 1.15 built and
names matter: a ref variable's value is read through `<name>/read`, the op a TF1 hook fetches,
where a resource variable has ReadVariableOp. On exit every switch, the import hook and
sys.modules are as before, so nothing leaks into the process (the Python API, the pytest plugin).

It turns on for a model or program whose source uses names only the 1.x API has (detect.py), or
when asked (`--tf1`, `tf1 = true`): code(path) is the one entry point the loader and runner use.
"""

from __future__ import annotations

import contextlib

from graphlint.tf1.contrib import MissingSymbol, provided  # noqa: F401 - the package's API
from graphlint.tfpatch import ROOM, room

LABEL = "TF1 runtime"
# The runtime's state is the room's (graphlint/tfpatch/state.py): ROOM.tf1_runtime holds the running
# runtime's import hook while one is, ROOM.tf1_forced whether a run asked for it (--tf1, tf1 = true).


def active() -> bool:
    return bool(ROOM.tf1_runtime)


@contextlib.contextmanager
def forced(on: bool = True):
    """Within this block, code() turns the runtime on whatever the source looks like."""
    with room():
        ROOM.tf1_forced.append(bool(on))
        try:
            yield
        finally:
            ROOM.tf1_forced.pop()


@contextlib.contextmanager
def runtime():
    """The TF1 runtime, entered once (nested entries share it)."""
    if ROOM.tf1_runtime:
        yield
        return
    from graphlint.model import tfcompat
    from graphlint.tf1.api import ImportHook
    from graphlint.tfpatch.v1_behavior import v1_behavior

    hook = ImportHook(tfcompat.tf())
    with v1_behavior():
        hook.install()
        ROOM.tf1_runtime.append(hook)
        try:
            yield
        finally:
            ROOM.tf1_runtime.pop()
            hook.uninstall()


@contextlib.contextmanager
def code(path: str | None, folder: str | None = None):
    """The runtime around the user's code at `path` when it is TF1 code or a run asked for it; yields
    whether it is on."""
    from graphlint.tf1 import detect

    on = (ROOM.tf1_forced and ROOM.tf1_forced[-1]) or bool(path and detect.uses_tf1(path, folder))
    if not on:
        yield False
        return
    with runtime():
        yield True
