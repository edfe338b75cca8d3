"""GL901 model-fn-failed: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules import Rule


class ModelFnFailed(Rule):
    """model_fn raised while building a mode.

    ## What it does
    Runs `model_fn` for every mode, as Estimator would, and reports the exception and the line of
    your code it came from when one mode cannot be built.

    ## Why is this bad
    Estimator builds EVAL and PREDICT graphs only when evaluation or export starts, so a
    mode-specific crash surfaces after training, not before.

    ## Example
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        units = params["units"]
        if mode == tf.estimator.ModeKeys.EVAL:
            units = params["eval_units"]   # KeyError: 'eval_units'
        return spec(mode, linear(features, units), labels)
    ```

    ## Fix
    Make every mode buildable with the params it will really get (`--params-eval` shows them):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        return spec(mode, linear(features, params["units"]), labels)
    ```
    """

    code = "GL901"
    symbol = "model-fn-failed"
    severity = "error"
    summary = "model_fn raised while building a mode"

    def check(self, ctx):
        for mode, snap in ctx.snapshots.items():
            failure = snap.failure
            if failure is not None and not snap.skipped and failure.kind != "warm-start":
                yield self.finding((mode,), "model_fn",
                                   f"model_fn raised while building {mode}: {failure.exc_type}: {failure.message}",
                                   fix="make this mode buildable, or leave it out with --modes",
                                   location=failure.site)
