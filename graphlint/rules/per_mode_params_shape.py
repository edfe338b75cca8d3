"""GL106 per-mode-params-shape: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.model.snapshot import Snapshot
from graphlint.rules import Rule
from graphlint.rules._group import beside_writer, by_cause, listing
from graphlint.rules._mismatch import SHAPE_CONSEQUENCE
from graphlint.rules._params import flat_params, param_difference, show_param
from graphlint.rules._shapes import show_shape
from graphlint.rules._variables import restored_variable


class PerModeParamsShape(Rule):
    """Names the per-mode params behind a saved variable's shape mismatch.

    ## What it does
    When a saved variable has a different shape in different modes (GL102), compares the params
    each mode's `model_fn` was called with and names the ones that differ between those modes,
    marking a param whose value equals the differing dimension in every mode. Such a param is the
    cause: the finding is an error and stands for GL102's on the same variables. When no differing
    param equals the dimension, it is an info note beside GL102.

    ## Why is this bad
    Estimator passes the same `params` to every mode, but training and evaluation jobs are often
    launched with their own configs. A param that sizes a variable (hidden units, vocabulary size,
    number of classes) must be the same everywhere, or the training checkpoint does not fit the
    evaluation graph: a ref variable fails at restore (`Assign requires shapes of both tensors to
    match`), and a resource variable (TF2's default) is restored without a shape check, with the
    checkpoint's shape, and fails later wherever that shape does not fit.

    ## Example
    The evaluation job is launched with its own params (`--params-eval '{"units": 4, "batch_size": 8}'`):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, spec

    params = {"units": 3, "batch_size": 4}   # the eval job overrides {"units": 4, "batch_size": 8}


    def model_fn(features, labels, mode, params):
        return spec(mode, linear(features, params["units"]), labels)
    ```

    ## Fix
    Keep what sizes variables out of the per-job params (or give every job the same value);
    per-job settings such as the batch size may differ:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, spec

    UNITS = 3   # sizes a variable: one value, in the code every job runs
    params = {"batch_size": 4}


    def model_fn(features, labels, mode, params):
        return spec(mode, linear(features, UNITS), labels)
    ```
    """

    code = "GL106"
    symbol = "per-mode-params-shape"
    severity = "error"
    summary = ("a per-mode param sizes a saved variable, so its shape differs between modes (GL102 names the "
               "symptom; info when no differing param equals the differing dimension)")
    # A param that equals the differing dimension in every mode is the cause, and its fix (the same
    # param everywhere) the right one: those keys are not GL102's too. Without one, this is only a
    # note (info) beside GL102.
    supersedes = ("GL102",)
    example_options = {"per_mode_params": {"eval": {"units": 4, "batch_size": 8}}}
    example_needs = "" if "params" in getattr(Snapshot, "__dataclass_fields__", {}) else \
        "fires once the snapshots record each mode's params (Snapshot.params)"

    def check(self, ctx):
        modes = ctx.built_modes()
        flat = flat_params(ctx, modes)
        if flat is None:
            return  # snapshots without params (Snapshot.params) cannot say which params differ
        items = []  # (key, shapes, differ, sizing)
        for key in sorted({k for m in modes for k in ctx.snapshots[m].restore_keys}):
            shapes = {m: ctx.snapshots[m].restore_keys[key].shape
                      for m in modes if key in ctx.snapshots[m].restore_keys}
            if len(set(shapes.values())) < 2:
                continue
            differ, sizing = param_difference(flat, shapes)
            if differ:
                items.append((key, shapes, differ, sizing))
        # The same differing params behind many keys are one cause: one finding names them all.
        for _, group in by_cause(items, lambda it: (tuple(it[1]), tuple(it[3] or it[2]))):
            yield self._finding(ctx, flat, group)

    def _finding(self, ctx, flat, group):
        key, shapes, differ, sizing = group[0]
        shown = "; ".join(f"{p} (" + ", ".join(f"{m}: {show_param(flat[m], p)}" for m in shapes) + ")"
                          for p in differ)
        match = (f"; the differing dimension equals {', '.join(repr(p) for p in sizing)} in every mode"
                 if sizing else "")
        first = ctx.snapshots[next(iter(shapes))]
        var = restored_variable(first, first.restore_keys[key])
        keys = [it[0] for it in group]
        what = (f"'{key}' has a different shape per mode ({', '.join(f'{m}: {show_shape(v)}' for m, v in shapes.items())})"
                if len(keys) == 1 else
                f"{len(keys)} saved variables ({listing(keys)}) have a different shape per mode (e.g. '{key}': "
                f"{', '.join(f'{m}: {show_shape(v)}' for m, v in shapes.items())})")
        restore = f"; restoring one mode's checkpoint in another: {SHAPE_CONSEQUENCE}" if sizing else ""
        return self.finding(
            tuple(shapes), key, f"{what} and these modes get different params: {shown}{match}{restore}",
            fix=f"give every mode the same {', '.join(sizing or differ)} (a variable's shape must not depend "
                f"on per-mode params)",
            location=ctx.first_site(shapes, var), names=keys, severity=None if sizing else "info")

    def explains(self, finding) -> dict:
        """Only a finding that found the sizing param names the cause (it is an error then); the
        keys, in the modes beside TRAIN (the checkpoint TRAIN wrote differs there, GL302, for it)."""
        if finding.severity != "error":
            return {}
        return {n: beside_writer(finding.modes) for n in finding.all_names}
