"""checkpoint_utils._init_from_checkpoint, _set_checkpoint_initializer and load_checkpoint
(tensorflow.python.training.checkpoint_utils), wrapped while a mode is built.

Every warm start in TF1 code reaches _init_from_checkpoint (tf.compat.v1.train.
init_from_checkpoint, and warm_starting_util.warm_start, which Estimator(warm_start_from=...)
calls), and that function hands each variable it resolves to _set_checkpoint_initializer, which
replaces the variable's initializer. Wrapping the two lets TensorFlow resolve a map by its own
rules (scope maps, partitioned variables, the variable store) while graphlint sees which
variables it covered (graphlint/model/warmstart.py) and the initial values it replaced
(graphlint/checkpoint/initial.py). load_checkpoint is what _init_from_checkpoint reads the
checkpoint's keys and shapes through.

Each of the three is replaced once per room by a dispatcher that calls the innermost open block's
function, or TensorFlow's own when no block is open.
"""

from __future__ import annotations

import contextlib
from types import SimpleNamespace

from graphlint.tfpatch.state import room

_NAMES = ("_init_from_checkpoint", "_set_checkpoint_initializer", "load_checkpoint")
_active = {name: [] for name in _NAMES}  # name -> the open blocks' functions, innermost last


def _dispatcher(name, original):
    stack = _active[name]

    def dispatch(*args, **kwargs):
        return (stack[-1] if stack else original)(*args, **kwargs)
    dispatch.__name__ = name
    return dispatch


def _current(r, cu, name):
    """The function `name` stands for now (the innermost block's, else TF's own), with the
    dispatcher set in the room."""
    if not r.is_patched(cu, name):
        r.set(cu, name, _dispatcher(name, vars(cu)[name]))
    stack = _active[name]
    return stack[-1] if stack else next(o for m, n, o in r.patched() if m is cu and n == name)


@contextlib.contextmanager
def _using(functions: dict):
    """While open, each {name: factory(the current function)} is what TF's `name` calls."""
    from tensorflow.python.training import checkpoint_utils as cu

    with room() as r:
        pushed = []
        try:
            for name, factory in functions.items():
                if factory is not None:
                    fn = factory(_current(r, cu, name))
                    _active[name].append(fn)
                    pushed.append((name, fn))
            yield
        finally:
            for name, fn in reversed(pushed):
                _active[name].remove(fn)


def wrapped(init_from_checkpoint=None, set_initializer=None):
    """While open, _init_from_checkpoint is init_from_checkpoint(the current one) and
    _set_checkpoint_initializer is set_initializer(the current one), each when given."""
    return _using({"_init_from_checkpoint": init_from_checkpoint, "_set_checkpoint_initializer": set_initializer})


def resolving_only(shape_map, on_initializer):
    """While open, _init_from_checkpoint resolves a map against `shape_map` ({key: shape}, for
    every checkpoint it is given) and, for each variable it would initialize from a key, calls
    on_initializer(variable, key) instead of creating the initializer."""
    return _using({
        "load_checkpoint": lambda _: lambda _ckpt: SimpleNamespace(get_variable_to_shape_map=lambda: shape_map),
        "_set_checkpoint_initializer": lambda _: lambda var, _file, name, *a, **k: on_initializer(var, name),
    })


def raised_in_warm_start(exc: BaseException) -> str:
    """Where in TF's warm start `exc` was raised, from its traceback: "warm-start" when in
    init_from_checkpoint (it checks its assignment_map while the graph is built, so a wrong map is
    a model_fn exception), "warm-start-settings" when in warm_starting_util.warm_start and no
    init_from_checkpoint (WarmStartSettings checks its own maps after its init_from_checkpoint
    calls), else ""."""
    kind = ""
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith("checkpoint_utils.py") and \
                code.co_name.startswith(("init_from_checkpoint", "_init_from_checkpoint")):
            return "warm-start"
        if code.co_filename.endswith("warm_starting_util.py") and code.co_name == "warm_start":
            kind = "warm-start-settings"
        tb = tb.tb_next
    return kind


def load_checkpoint(ckpt):
    """checkpoint_utils.load_checkpoint, looked up at call time as _init_from_checkpoint looks it
    up (so resolving_only's shape map answers here too)."""
    from tensorflow.python.training import checkpoint_utils as cu

    return cu.load_checkpoint(ckpt)
