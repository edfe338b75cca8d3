"""Estimator's entry points, replaced for the duration of the user's program by recorders.

Each replacement (graphlint/tfpatch/estimator_entries.py) binds the call's arguments with the real
method's own signature (so a program that calls train() wrongly fails as it would); here it
records a Call and returns a neutral value at once: nothing trains, no checkpoint or event file is
written, no cluster is waited on.
"""

from __future__ import annotations

from graphlint.program.calls import ENTRY_MODES, Call
from graphlint.tfpatch import estimator_entries, estimator_internals

_EXPORT_ENTRIES = ("export_saved_model", "export_savedmodel")


class _Handler:
    """Receives the calls of the replaced entry points (tfpatch/estimator_entries.py): records a
    Call for each and returns a neutral value."""

    def __init__(self, recorder, sites):
        self.recorder, self.sites = recorder, sites

    def _record(self, entry: str, estimator, input_fn, hooks, via: str = "") -> None:
        entry = "export_saved_model" if entry in _EXPORT_ENTRIES else entry
        self.recorder.add(Call(entry, ENTRY_MODES[entry], estimator, input_fn, tuple(hooks or ()),
                               self.sites.from_raw(self.sites.raw_from_stack(1)), via))

    def entry(self, entry: str, estimator, bound: dict):
        """One entry point's call, its arguments bound with the real method's signature."""
        input_fn = bound.get("serving_input_receiver_fn") if entry in _EXPORT_ENTRIES else bound.get("input_fn")
        self._record(entry, estimator, input_fn, bound.get("hooks"))
        return _neutral(entry, estimator, bound)

    def train_and_evaluate(self, estimator, train_spec, eval_spec):
        """tf.estimator.train_and_evaluate, recorded: TrainSpec's train, EvalSpec's evaluate, and one
        export per exporter (what the evaluator exports after an evaluation)."""
        via = "train_and_evaluate"
        self._record("train", estimator, train_spec.input_fn, train_spec.hooks, via)
        self._record("evaluate", estimator, eval_spec.input_fn, eval_spec.hooks, via)
        for exporter in eval_spec.exporters or ():
            receiver_fn = _receiver_fn(exporter)
            if receiver_fn is not None:
                self._record("export_saved_model", estimator, receiver_fn, (), via)
        return {}, []


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


def _receiver_fn(exporter):
    """The serving_input_receiver_fn of tensorflow-estimator's exporters (Latest/Best/Final)."""
    return estimator_internals.exporter_receiver_fn(exporter)


def intercepting(recorder, sites, est_module):
    """Replace the entry points of the Estimator API `est_module` while the program runs."""
    from graphlint.program import standin

    base, real_tae, lazy = standin.api_parts(est_module)
    return estimator_entries.replaced(base, real_tae, lazy, _Handler(recorder, sites))
