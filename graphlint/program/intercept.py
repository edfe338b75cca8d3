"""Estimator's entry points, replaced for the duration of the user's program by recorders.

Each replacement binds the call's arguments with the real method's own signature (so a program
that calls train() wrongly fails as it would), records a Call and returns a neutral value at once:
nothing trains, no checkpoint or event file is written, no cluster is waited on.
"""

from __future__ import annotations

import contextlib
import inspect
import sys

from graphlint.program.calls import ENTRY_MODES, Call

ENTRIES = ("train", "evaluate", "predict", "export_saved_model", "export_savedmodel")
_EXPORT_ENTRIES = ("export_saved_model", "export_savedmodel")

_active = []  # (Recorder, SiteFinder) of the running program, innermost last


def _record(entry: str, estimator, input_fn, hooks, via: str = "") -> None:
    recorder, sites = _active[-1]
    entry = "export_saved_model" if entry in _EXPORT_ENTRIES else entry
    recorder.add(Call(entry, ENTRY_MODES[entry], estimator, input_fn, tuple(hooks or ()),
                      sites.from_raw(sites.raw_from_stack(1)), via))


def _neutral(entry: str, estimator, args):
    """What the program gets back instead of a trained result."""
    if entry == "train":
        return estimator
    if entry == "evaluate":
        return {}
    if entry == "predict":
        return iter(())
    base = args.get("export_dir_base", b"")
    return base if isinstance(base, bytes) else str(base).encode()


def recording(entry: str, signature: inspect.Signature):
    """The stand-in for one entry point, with the real method's signature."""
    def intercepted(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs).arguments
        input_fn = bound.get("serving_input_receiver_fn") if entry in _EXPORT_ENTRIES else bound.get("input_fn")
        _record(entry, self, input_fn, bound.get("hooks"))
        return _neutral(entry, self, bound)
    intercepted.__name__ = entry
    intercepted.__graphlint_intercepted__ = True
    return intercepted


def train_and_evaluate(estimator, train_spec, eval_spec):
    """tf.estimator.train_and_evaluate, recorded: TrainSpec's train, EvalSpec's evaluate, and one
    export per exporter (what the evaluator exports after an evaluation)."""
    via = "train_and_evaluate"
    _record("train", estimator, train_spec.input_fn, train_spec.hooks, via)
    _record("evaluate", estimator, eval_spec.input_fn, eval_spec.hooks, via)
    for exporter in eval_spec.exporters or ():
        receiver_fn = _receiver_fn(exporter)
        if receiver_fn is not None:
            _record("export_saved_model", estimator, receiver_fn, (), via)
    return {}, []


def _receiver_fn(exporter):
    """The serving_input_receiver_fn of tensorflow-estimator's exporters (Latest/Best/Final)."""
    inner = getattr(exporter, "_saved_model_exporter", exporter)
    return getattr(inner, "_serving_input_receiver_fn", None)


def _estimator_classes(base) -> list:
    out, stack = [], [base]
    while stack:
        cls = stack.pop()
        if cls not in out:
            out.append(cls)
            stack.extend(cls.__subclasses__())
    return out


def _patch_targets(base):
    """(class, name, original) for every entry point tensorflow-estimator itself defines; user
    subclasses may not override them (Estimator's own rule), so these are all there are."""
    for cls in _estimator_classes(base):
        if not cls.__module__.startswith(("tensorflow_estimator", "graphlint")):
            continue
        for name in ENTRIES:
            original = cls.__dict__.get(name)
            if callable(original) and not getattr(original, "__graphlint_intercepted__", False):
                yield cls, name, original


def _modules_holding(fn) -> list:
    """Every loaded module (and tf's lazy API modules) that holds `fn` as train_and_evaluate."""
    found = []
    for mod in list(sys.modules.values()):
        if mod is not None and vars(mod).get("train_and_evaluate", None) is fn:
            found.append(mod)
    return found


@contextlib.contextmanager
def intercepting(recorder, sites, est_module):
    """Replace the entry points of the Estimator API `est_module` while the program runs."""
    from graphlint.program import standin

    base, real_tae, lazy = standin.api_parts(est_module)
    patched = []
    for cls, name, original in _patch_targets(base):
        setattr(cls, name, recording(name, inspect.signature(original)))
        patched.append((cls, name, original))
    holders = _modules_holding(real_tae) + [m for m in lazy if vars(m).get("train_and_evaluate") is real_tae]
    for mod in holders:
        mod.train_and_evaluate = train_and_evaluate
    _active.append((recorder, sites))
    try:
        yield
    finally:
        _active.pop()
        for mod in holders:
            mod.train_and_evaluate = real_tae
        for cls, name, original in reversed(patched):
            setattr(cls, name, original)
