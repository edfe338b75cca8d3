"""The `time` names of basic_session_run_hooks (tensorflow.python.training.basic_session_run_hooks),
and of the modules that define the hooks' own classes, replaced while hooks are stepped.

SecondOrStepTimer (LoggingTensorHook, SummarySaverHook, StepCounterHook, ProfilerHook) reads
time.time() from its module, and a user's hook reads its own module's `time`: replacing the
module-level names (`import time` and `from time import time` alike) gives them a simulated
clock (graphlint/model/hook_schedule.py), so a timer on seconds fires within a few steps.
"""

from __future__ import annotations

import contextlib
import sys


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


@contextlib.contextmanager
def replaced(hooks, replacement):
    """While open, each global of those modules for which replacement(value) is not None is that."""
    changed = []
    for module in _modules(hooks):
        for name, value in list(vars(module).items()):
            new = replacement(value)
            if new is not None:
                changed.append((module, name, value))
                setattr(module, name, new)
    try:
        yield
    finally:
        for module, name, value in reversed(changed):
            setattr(module, name, value)
