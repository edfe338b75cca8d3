"""A hook's state as far as a simulated step can change it, to tell when stepping it further
cannot show anything new.

A step's inputs are the same every step except the results (the global step advances) and the
clock: if a step leaves the hook's state as it found it, and the hook did not read the clock, every
later step does exactly what that one did. The state read: the hook's attributes, and what they
hold (containers, plain objects such as a SecondOrStepTimer, closures' cells, small numpy arrays),
the attributes of its own classes and the globals of their modules (a counter kept there). When
part of it cannot be read (too deep, too big, an object without __dict__), the hook is stepped its
full course: a wrong "unchanged" would hide a fetch, an unknown only costs time.
"""

from __future__ import annotations

import sys
import types

import numpy as np

from graphlint.model.tfcompat import tf

MAX_DEPTH = 5
MAX_NODES = 2_000  # values read per fingerprint: a hook holding more is stepped its full course
MAX_ARRAY = 4096  # elements of a numpy array compared by value
_ATOMS = (type(None), bool, int, float, complex, str, bytes)
_OPAQUE = (types.ModuleType, type, types.BuiltinFunctionType)  # what a step rebinds, never mutates


def fingerprint(hook):
    """A value that is equal after two steps only if the hook's state is; None when the state
    cannot be read whole (then the hook is stepped its full course, and its state not read again)."""
    reader = _Reader(hook)
    classes = [c for c in type(hook).__mro__ if _is_users(c)]
    modules = {c.__module__: sys.modules.get(c.__module__) for c in classes}
    state = (reader.read(vars(hook), MAX_DEPTH),
             tuple(reader.shallow(vars(c)) for c in classes),
             tuple(reader.shallow(vars(m)) for _, m in sorted(modules.items()) if m is not None))
    return None if reader.unknown else state


def _is_users(cls) -> bool:
    return not cls.__module__.startswith(("tensorflow", "builtins", "abc"))


class _Reader:
    def __init__(self, hook):
        self.hook, self.nodes, self.unknown = hook, 0, False
        self.graph_types = _graph_types()

    def shallow(self, namespace):
        """A class's or module's names: what a step can rebind, and the containers it can fill."""
        return tuple((name, self.read(value, 3) if isinstance(value, (list, dict, set, _ATOMS)) else ("id", id(value)))
                     for name, value in namespace.items() if not name.startswith("__"))

    def read(self, value, depth):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            return self._unknown()
        if isinstance(value, _ATOMS):
            return value
        if isinstance(value, np.generic):
            return ("np", value.dtype.str, value.tobytes())
        if isinstance(value, self.graph_types) or isinstance(value, _OPAQUE):
            return ("id", id(value))  # graph objects a hook holds: a step cannot change what they are
        if isinstance(value, np.ndarray):
            return ("nd", value.dtype.str, value.shape, value.tobytes()) if value.size <= MAX_ARRAY else self._unknown()
        if depth <= 0:
            return self._unknown()
        return self._container(value, depth - 1)

    def _container(self, value, depth):
        if isinstance(value, (list, tuple)):
            return (type(value).__name__, tuple(self.read(v, depth) for v in value))
        if isinstance(value, (set, frozenset)):
            return (type(value).__name__, frozenset(self.read(v, depth) for v in value))
        if isinstance(value, dict):
            return ("dict", tuple((self.read(k, depth), self.read(v, depth)) for k, v in value.items()))
        if isinstance(value, types.MethodType):  # the hook's own: its state is being read already
            owner = ("id", id(value.__self__)) if value.__self__ is self.hook else self.read(value.__self__, depth)
            return ("method", id(value.__func__), owner)
        if isinstance(value, types.FunctionType):
            cells = tuple(self.read(c.cell_contents, depth) if _filled(c) else None for c in value.__closure__ or ())
            return ("function", id(value), cells)
        if hasattr(value, "__dict__") and not hasattr(type(value), "__slots__"):
            return ("object", id(type(value)), self.read(vars(value), depth))
        return self._unknown()

    def _unknown(self):
        self.unknown = True
        self.nodes = MAX_NODES  # nothing more to learn: the whole state is unknown
        return None


def _filled(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - reading an empty cell raises
    except ValueError:  # an empty cell
        return False
    return True


def _graph_types():
    t = tf()
    return (t.Tensor, t.Operation, t.Variable, t.Graph, t.SparseTensor, t.DType, t.TensorShape)
