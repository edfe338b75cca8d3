"""TensorFlow's global 1.x/2.x behaviour switches (tensorflow.python.compat.v2_compat.
disable_v2_behavior, and what it sets: tf2's flag, context.default_execution_mode, the eager
flag of this thread's context, Tensor._USE_EQUALITY, and the globals of the modules v2_compat
imports), turned to 1.x by TF's own function and put back exactly as they were afterwards; the
TF1 runtime (graphlint/tf1/) enters them through v1_behavior().

disable_v2_behavior() is meant for a process's start and has no inverse (enable_v2_behavior()
turns eager execution back on only before any graph exists, and would force 2.x switches a
process that never had them on). So every module-level value the call may change is saved
before it runs, and what it changed is restored after: the 2.x flag in TF's C++ core, the eager
default and this thread's eager flag, and the globals it switched in the modules it touches
(TensorShape v2, resource variables, control flow v2, the tf.data classes it swaps for V1 ones).
"""

from __future__ import annotations

import contextlib
import types

from graphlint.tfpatch.state import room


def _parts():
    """(the modules whose globals disable_v2_behavior sets, the Tensor class, tf2, context)."""
    from tensorflow.python import tf2
    from tensorflow.python.compat import v2_compat
    from tensorflow.python.eager import context
    from tensorflow.python.framework import tensor
    from tensorflow.python.ops import control_flow_util

    # Every module v2_compat imports is one whose globals it may set: take them from the module
    # itself, so a TensorFlow that switches one more module is still covered.
    modules = [m for m in vars(v2_compat).values() if isinstance(m, types.ModuleType)]
    modules += [control_flow_util, context]  # set through control_flow_v2_toggles and ops
    return modules, tensor.Tensor, tf2, context


def to_v1() -> dict:
    """Switch to TF 1.x behaviour with TensorFlow's own function; return what it changed, as it was."""
    from tensorflow.python.compat import v2_compat

    modules, tensor_class, tf2, context = _parts()
    before = [(m, dict(vars(m))) for m in modules]
    ctx = context.context_safe()
    state = {
        "tensor_equality": tensor_class.__dict__.get("_USE_EQUALITY"),
        "tf2": tf2.enabled(),
        "eager_default": context.default_execution_mode,
        "thread_eager": None if ctx is None else ctx._thread_local_data.is_eager,  # noqa: SLF001
    }
    v2_compat.disable_v2_behavior()
    # Only the globals the call itself switched are put back later: a module's other globals
    # (a context created meanwhile, caches) belong to the run.
    state["globals"] = [(m, {n: v for n, v in old.items() if vars(m).get(n, _MISSING) is not v})
                        for m, old in before]
    return state


def restore(state: dict) -> None:
    """Put back what to_v1() switched."""
    modules, tensor_class, tf2, context = _parts()
    for module, old in state["globals"]:
        vars(module).update(old)
    tensor_class._USE_EQUALITY = state["tensor_equality"]  # noqa: SLF001
    if tf2.enabled() != state["tf2"]:
        (tf2.enable if state["tf2"] else tf2.disable)()
    context.default_execution_mode = state["eager_default"]
    ctx = context.context_safe()
    if ctx is not None:  # made during the run, it took the graph-mode default: give it the old one
        eager = state["thread_eager"]
        ctx._thread_local_data.is_eager = (state["eager_default"] == context.EAGER_MODE  # noqa: SLF001
                                           if eager is None else eager)


_MISSING = object()


@contextlib.contextmanager
def v1_behavior():
    """TensorFlow's 1.x behaviour for the block (inside the room); every switch as it was afterwards.
    These are TF's own switches, flipped by TF's own function: not a patch the room could hold for
    the whole run, since one run builds TF1 and TF2 models side by side (migrate's parity)."""
    with room():
        state = to_v1()
        try:
            yield
        finally:
            restore(state)
