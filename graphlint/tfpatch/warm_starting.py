"""warm_starting_util.warm_start (tensorflow.python.training.warm_starting_util), wrapped while a
mode is built.

WarmStartSettings' warm start (Estimator's, or tf.compat.v1.train.warm_start) selects variables
by its settings and then calls init_from_checkpoint for those it found; a selection that matches
no variable makes no call at all. Estimator calls it through the module attribute, so replacing
that attribute sees every WarmStartSettings warm start whole (graphlint/model/warmstart.py). It is
replaced once per room by a dispatcher to the innermost open block's function, or to TensorFlow's
own when no block is open.
"""

from __future__ import annotations

import contextlib

from graphlint.tfpatch.state import room

_active = []  # the open wrapped() blocks' functions, innermost last
_original = []  # [TF's warm_start] while the room has the dispatcher set


@contextlib.contextmanager
def wrapped(warm_start):
    """While open, warm_starting_util.warm_start is warm_start(the current one)."""
    from tensorflow.python.training import warm_starting_util as wsu

    with room() as r:
        if not r.is_patched(wsu, "warm_start"):
            _original[:] = [wsu.warm_start]
            r.set(wsu, "warm_start", _dispatch)
        fn = warm_start(_active[-1] if _active else _original[0])
        _active.append(fn)
        try:
            yield
        finally:
            _active.remove(fn)


def _dispatch(*args, **kwargs):
    return (_active[-1] if _active else _original[0])(*args, **kwargs)


def warm_start(*args, **kwargs):
    """warm_starting_util.warm_start, called through the module as Estimator calls it, so a block of
    wrapped() open around the call sees it."""
    from tensorflow.python.training import warm_starting_util as wsu

    return wsu.warm_start(*args, **kwargs)


def grouped_variables(vars_to_warm_start) -> dict:
    """warm_starting_util._get_grouped_variables: {name: [variable or its partitions]} warm_start
    selects for `vars_to_warm_start` (a regex, names or variables), by TF's own rules."""
    from tensorflow.python.training import warm_starting_util as wsu

    return wsu._get_grouped_variables(vars_to_warm_start)


def object_checkpoint_renames(ckpt, names) -> dict:
    """warm_starting_util._get_object_checkpoint_renames: {variable name: checkpoint key} for an
    object-based checkpoint, the renames warm_start applies when none are given."""
    from tensorflow.python.training import warm_starting_util as wsu

    return wsu._get_object_checkpoint_renames(ckpt, names)
