"""GL901 model-fn-failed: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

import importlib.util
import os
import re

from graphlint.rules import Rule

FIX = "make this mode buildable, or leave it out with --modes"
# TensorFlow 2.16+ ships Keras 3, whose stand-ins for tf.compat.v1.layers raise AttributeError
# naming Keras 3; tf-keras (Keras 2) brings them back when TF_USE_LEGACY_KERAS=1 is set before
# TensorFlow is imported, which graphlint.model.tfcompat does when tf-keras is installed.
KERAS3 = re.compile(r"\bKeras 3\b")


def keras_fix(failure):
    """The fix for a model that needs Keras 2 under Keras 3, or None for any other failure."""
    if failure.exc_type != "AttributeError" or not KERAS3.search(failure.message):
        return None
    chosen = os.environ.get("TF_USE_LEGACY_KERAS")
    if importlib.util.find_spec("tf_keras") is not None and chosen not in (None, "1", "true", "True"):
        return (f"tf.compat.v1.layers needs Keras 2: tf-keras is installed, but TF_USE_LEGACY_KERAS={chosen} "
                f"keeps Keras 3; set TF_USE_LEGACY_KERAS=1 (here and in your training job)")
    from graphlint.model.tfcompat import tf_keras_install

    full_wheel = importlib.util.find_spec("tensorflow") is not None and _installed("tensorflow")
    return (f"tf.compat.v1.layers needs Keras 2 on TensorFlow 2.16+: "
            f"{tf_keras_install(_tf_version(), full_wheel)} (graphlint then sets TF_USE_LEGACY_KERAS=1 unless "
            f"you set it; your training job needs TF_USE_LEGACY_KERAS=1 too)")


def _installed(distribution: str) -> bool:
    import importlib.metadata

    try:
        importlib.metadata.version(distribution)
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


def _tf_version() -> str:
    from graphlint.model.tfcompat import tf

    return tf().__version__


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
    When the error is that a `tf.compat.v1.layers` function "is not available with Keras 3"
    (TensorFlow 2.16+ ships Keras 3), install Keras 2, the tf-keras of your TensorFlow's minor
    version: `pip install 'tf-keras==2.21.*'` (with `--no-deps` next to `tensorflow-cpu`: tf-keras
    requires the full `tensorflow` wheel). When tf-keras is installed and `TF_USE_LEGACY_KERAS` is not set, graphlint sets
    `TF_USE_LEGACY_KERAS=1` before it imports TensorFlow; your training job needs the same.

    Otherwise, make every mode buildable with the params it will really get (`--params-eval`
    shows them):
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
            if failure is not None and not snap.skipped and not failure.kind.startswith("warm-start"):
                yield self.finding((mode,), "model_fn",
                                   f"model_fn raised while building {mode}: {failure.exc_type}: {failure.message}",
                                   fix=keras_fix(failure) or FIX,
                                   location=failure.site)
