"""GL902 predict-not-supported: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules import Rule


class PredictNotSupported(Rule):
    """PREDICT was skipped because model_fn does not support labels=None.

    ## What it does
    When PREDICT was not asked for explicitly and `model_fn` fails on `labels=None`, graphlint
    skips that mode and says so, instead of reporting an error.

    ## Why is this bad
    It is not, for a model that is never exported or served; but such a model cannot be used
    with `Estimator.predict` or exported as a SavedModel.

    ## Example
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, train_op


    def model_fn(features, labels, mode, params):
        logits = linear(features, 1)
        loss = tf.compat.v1.losses.mean_squared_error(labels, logits)   # fails when labels is None
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits}, loss=loss,
                                          train_op=train_op(mode, loss))
    ```

    ## Fix
    Return early in PREDICT, before anything that needs labels:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, train_op


    def model_fn(features, labels, mode, params):
        logits = linear(features, 1)
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
        loss = tf.compat.v1.losses.mean_squared_error(labels, logits)
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits}, loss=loss,
                                          train_op=train_op(mode, loss))
    ```
    """

    code = "GL902"
    symbol = "predict-not-supported"
    severity = "info"
    summary = "PREDICT was skipped: model_fn does not handle labels=None"

    def check(self, ctx):
        snap = ctx.snapshots.get("predict")
        if snap is not None and snap.skipped:
            site = snap.failure.site if snap.failure else None
            yield self.finding(("predict",), "model_fn", f"predict was not checked: {snap.skipped}",
                               fix="return an EstimatorSpec with predictions before using labels, "
                                   "or pass --modes train,eval", location=site)
