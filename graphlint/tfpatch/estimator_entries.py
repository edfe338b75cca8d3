"""Estimator's entry points (tensorflow_estimator's Estimator.train, evaluate, predict,
export_saved_model, export_savedmodel, on Estimator and every subclass it defines) and
tf.estimator.train_and_evaluate (on every module that holds it), replaced while a training
program runs under `graphlint run`.

The replacements hand each call to the innermost open block's handler (graphlint/program/
intercept.py records it and returns a neutral value): nothing trains, no checkpoint or event file
is written, no cluster is waited on.
"""

from __future__ import annotations

import contextlib
import inspect
import sys

ENTRIES = ("train", "evaluate", "predict", "export_saved_model", "export_savedmodel")
_MARK = "__graphlint_intercepted__"

_handlers = []  # the handler of each open replaced() block, innermost last


def _entry(name: str, signature: inspect.Signature):
    """The stand-in for one entry point: its arguments bound with the real method's signature (so a
    program that calls train() wrongly fails as it would), then handler.entry(name, estimator, bound)."""
    def intercepted(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs).arguments
        return _handlers[-1].entry(name, self, bound)
    intercepted.__name__ = name
    setattr(intercepted, _MARK, True)
    return intercepted


def _train_and_evaluate(estimator, train_spec, eval_spec):
    return _handlers[-1].train_and_evaluate(estimator, train_spec, eval_spec)


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


@contextlib.contextmanager
def replaced(base, real_train_and_evaluate, api_modules, handler):
    """While open, the entry points of `base` (the Estimator class) and its subclasses, and
    train_and_evaluate in every loaded module and in `api_modules` (tf's lazy API modules), call
    handler.entry(name, estimator, bound arguments) and handler.train_and_evaluate(...)."""
    patched = []
    for cls, name, original in _targets(base):
        setattr(cls, name, _entry(name, inspect.signature(original)))
        patched.append((cls, name, original))
    holders = _modules_holding(real_train_and_evaluate) + [
        m for m in api_modules if vars(m).get("train_and_evaluate") is real_train_and_evaluate]
    for mod in holders:
        mod.train_and_evaluate = _train_and_evaluate
    _handlers.append(handler)
    try:
        yield
    finally:
        _handlers.pop()
        for mod in holders:
            mod.train_and_evaluate = real_train_and_evaluate
        for cls, name, original in reversed(patched):
            setattr(cls, name, original)
