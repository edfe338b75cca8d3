"""Estimator's entry points (tensorflow_estimator's Estimator.train, evaluate, predict,
export_saved_model, export_savedmodel, on Estimator and every subclass it defines) and
tf.estimator.train_and_evaluate (on every module that holds it), replaced while a training
program runs under `graphlint run`.

The replacements hand each call to the innermost open block's handler (graphlint/program/
intercept.py records it and returns a neutral value): nothing trains, no checkpoint or event file
is written, no cluster is waited on. They are set in the room at the first replaced() block (and
for entry points or holders loaded since, at a later one) and stay until the room's exit; with no
block open each calls the original as it is.
"""

from __future__ import annotations

import contextlib
import inspect
import sys

from graphlint.tfpatch.state import room

ENTRIES = ("train", "evaluate", "predict", "export_saved_model", "export_savedmodel")
_MARK = "__graphlint_intercepted__"

_handlers = []  # the handler of each open replaced() block, innermost last


def _entry(name: str, original):
    """The stand-in for one entry point: its arguments bound with the real method's signature (so a
    program that calls train() wrongly fails as it would), then handler.entry(name, estimator, bound);
    the original itself while no block is open."""
    signature = inspect.signature(original)

    def intercepted(self, *args, **kwargs):
        if not _handlers:
            return original(self, *args, **kwargs)
        bound = signature.bind(self, *args, **kwargs).arguments
        return _handlers[-1].entry(name, self, bound)
    intercepted.__name__ = name
    setattr(intercepted, _MARK, True)
    return intercepted


def _train_and_evaluate_for(real):
    def train_and_evaluate(estimator, train_spec, eval_spec):
        if not _handlers:
            return real(estimator, train_spec, eval_spec)
        return _handlers[-1].train_and_evaluate(estimator, train_spec, eval_spec)
    setattr(train_and_evaluate, _MARK, True)
    return train_and_evaluate


def _estimator_classes(base) -> list:
    out, stack = [], [base]
    while stack:
        cls = stack.pop()
        if cls not in out:
            out.append(cls)
            stack.extend(cls.__subclasses__())
    return out


def _targets(base):
    """(class, name, original) for every entry point tensorflow-estimator itself (or graphlint's
    stand-in) defines; user subclasses may not override them (Estimator's own rule), so these are
    all there are."""
    for cls in _estimator_classes(base):
        if not cls.__module__.startswith(("tensorflow_estimator", "graphlint")):
            continue
        for name in ENTRIES:
            original = cls.__dict__.get(name)
            if callable(original) and not getattr(original, _MARK, False):
                yield cls, name, original


def _modules_holding(fn) -> list:
    """Every loaded module that holds `fn` as train_and_evaluate."""
    return [mod for mod in list(sys.modules.values())
            if mod is not None and vars(mod).get("train_and_evaluate", None) is fn]


_stand_ins = {}  # id(real train_and_evaluate) -> (real, its pass-through stand-in), made once


def _cover(r, base, real_train_and_evaluate, api_modules) -> None:
    """Set, in the room, the stand-ins of every entry point and holder of train_and_evaluate not
    yet covered (a class or module loaded since the last block)."""
    for cls, name, original in _targets(base):
        r.set(cls, name, _entry(name, original))
    entry = _stand_ins.get(id(real_train_and_evaluate))
    if entry is None or entry[0] is not real_train_and_evaluate:
        entry = _stand_ins[id(real_train_and_evaluate)] = (real_train_and_evaluate,
                                                           _train_and_evaluate_for(real_train_and_evaluate))
    stand_in = entry[1]
    holders = _modules_holding(real_train_and_evaluate) + [
        m for m in api_modules if vars(m).get("train_and_evaluate") is real_train_and_evaluate]
    for mod in holders:
        r.set(mod, "train_and_evaluate", stand_in)


@contextlib.contextmanager
def replaced(base, real_train_and_evaluate, api_modules, handler):
    """While open, the entry points of `base` (the Estimator class) and its subclasses, and
    train_and_evaluate in every loaded module and in `api_modules` (tf's lazy API modules), call
    handler.entry(name, estimator, bound arguments) and handler.train_and_evaluate(...)."""
    with room() as r:
        _cover(r, base, real_train_and_evaluate, api_modules)
        _handlers.append(handler)
        try:
            yield
        finally:
            _handlers.pop()
