"""The `time` names of basic_session_run_hooks (tensorflow.python.training.basic_session_run_hooks),
and of the modules that define the hooks' own classes, replaced while hooks are stepped.

SecondOrStepTimer (LoggingTensorHook, SummarySaverHook, StepCounterHook, ProfilerHook) reads
time.time() from its module, and a user's hook reads its own module's `time`: replacing the
module-level names (`import time` and `from time import time` alike) gives them a simulated
clock (graphlint/model/hook_schedule.py), so a timer on seconds fires within a few steps.

Each such global is replaced once per room (a module at its first build with hooks from it) by a
stand-in that reads the clock while a replaced() block covers its module, and is the real
`time` (or function) otherwise; the room puts the real one back on exit.
"""

from __future__ import annotations

import contextlib
import sys
import types

from graphlint.tfpatch.state import room

_active = {}  # (id(module), name) -> what replacement() gave, while a replaced() block covers it


def _modules(hooks) -> list:
    from tensorflow.python.training import basic_session_run_hooks

    modules = {id(basic_session_run_hooks): basic_session_run_hooks}
    for hook in hooks:
        for cls in type(hook).__mro__:
            module = sys.modules.get(cls.__module__)
            name = getattr(module, "__name__", "")
            if module is not None and name != "builtins" and not name.startswith(("tensorflow", "keras")):
                modules[id(module)] = module
    return [modules[k] for k in sorted(modules, key=lambda k: modules[k].__name__)]


class _ModuleStandIn(types.ModuleType):
    """Stands in for a module (`import time`): each attribute is the active replacement's, else the
    module's own."""

    def __init__(self, module, key):
        super().__init__(module.__name__, module.__doc__)
        self._gl_module, self._gl_key = module, key

    def __getattribute__(self, attr):
        if attr.startswith("_gl_"):
            return object.__getattribute__(self, attr)
        current = _active.get(object.__getattribute__(self, "_gl_key"))
        return getattr(current if current is not None else object.__getattribute__(self, "_gl_module"), attr)


def _function_stand_in(fn, key):
    def stand_in(*args, **kwargs):
        current = _active.get(key)
        return (current if current is not None else fn)(*args, **kwargs)
    stand_in.__name__ = getattr(fn, "__name__", "stand_in")
    stand_in._gl_module = fn  # what it stands in for (the name _ModuleStandIn uses too)
    stand_in._gl_stand_in = True
    return stand_in


def _stood_for(value):
    """The real value behind one of this module's stand-ins; None for anything else."""
    if isinstance(value, _ModuleStandIn) or (
            type(value) is types.FunctionType and value.__dict__.get("_gl_stand_in") is True):
        return value._gl_module
    return None


@contextlib.contextmanager
def replaced(hooks, replacement):
    """While open, each global of those modules for which replacement(value) is not None is that."""
    with room() as r:
        turned = {}
        for module in _modules(hooks):
            for name, value in list(vars(module).items()):
                original = _stood_for(value)
                new = replacement(value if original is None else original)
                if new is None:
                    continue
                key = (id(module), name)
                if original is None:  # first seen in this room (or rebound since): set its stand-in
                    r.set(module, name, _ModuleStandIn(value, key) if isinstance(value, types.ModuleType)
                          else _function_stand_in(value, key))
                turned[key] = _active.get(key)
                _active[key] = new
        try:
            yield
        finally:
            for key, before in turned.items():
                if before is None:
                    _active.pop(key, None)
                else:
                    _active[key] = before
