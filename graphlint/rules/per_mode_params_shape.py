"""GL106 per-mode-params-shape: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.model.snapshot import Snapshot
from graphlint.rules import Rule
from graphlint.rules._shapes import show_shape
from graphlint.rules._variables import restored_variable


class PerModeParamsShape(Rule):
    """Names the per-mode params behind a saved variable's shape mismatch.

    ## What it does
    When a saved variable has a different shape in different modes (GL102), compares the params
    each mode's `model_fn` was called with and names the ones that differ between those modes,
    marking a param whose value equals the differing dimension in every mode.

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
    severity = "info"
    summary = "names the params that differ between modes whose saved variable shapes differ (GL102)"
    example_also = ("GL102",)  # the symptom it explains
    example_options = {"per_mode_params": {"eval": {"units": 4, "batch_size": 8}}}
    example_needs = "" if "params" in getattr(Snapshot, "__dataclass_fields__", {}) else \
        "fires once the snapshots record each mode's params (Snapshot.params)"

    def check(self, ctx):
        modes = ctx.built_modes()
        params = {m: getattr(ctx.snapshots[m], "params", None) for m in modes}
        if len(modes) < 2 or any(not isinstance(p, dict) for p in params.values()):
            return  # snapshots without params (Snapshot.params) cannot say which params differ
        flat = {m: dict(_flatten(p)) for m, p in params.items()}
        keys = sorted({k for m in modes for k in ctx.snapshots[m].restore_keys})
        for key in keys:
            shapes = {m: ctx.snapshots[m].restore_keys[key].shape
                      for m in modes if key in ctx.snapshots[m].restore_keys}
            if len(set(shapes.values())) < 2:
                continue
            differ = [p for p in sorted({p for m in shapes for p in flat[m]})
                      if len({_show(flat[m].get(p, _MISSING)) for m in shapes}) > 1]
            if not differ:
                continue
            dims = _differing_dims(shapes)
            sizing = [p for p in differ if dims and all(
                isinstance(flat[m].get(p), int) and all(shapes[m][i] == flat[m][p] for i in dims) for m in shapes)]
            shown = "; ".join(f"{p} (" + ", ".join(f"{m}: {_show(flat[m].get(p, _MISSING))}" for m in shapes) + ")"
                              for p in differ)
            match = (f"; the differing dimension equals {', '.join(repr(p) for p in sizing)} in every mode"
                     if sizing else "")
            first = ctx.snapshots[next(iter(shapes))]
            var = restored_variable(first, first.restore_keys[key])
            yield self.finding(
                tuple(shapes), key,
                f"'{key}' has a different shape per mode ({', '.join(f'{m}: {show_shape(v)}' for m, v in shapes.items())})"
                f" and these modes get different params: {shown}{match}",
                fix=f"give every mode the same {', '.join(sizing or differ)} (a variable's shape must not depend "
                    f"on per-mode params)",
                location=ctx.first_site(shapes, var))


_MISSING = object()


def _flatten(params, prefix=""):
    for k, v in params.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            yield from _flatten(v, name + ".")
        else:
            yield name, v


def _show(value):
    return "(unset)" if value is _MISSING else repr(value)


def _differing_dims(shapes):
    known = [s for s in shapes.values() if s is not None]
    if len(known) != len(shapes) or len({len(s) for s in known}) != 1:
        return []
    return [i for i in range(len(known[0])) if len({s[i] for s in known}) > 1]
