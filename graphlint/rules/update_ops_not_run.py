"""GL403 update-ops-not-run: the class docstring is the rule's documentation (docs/rules.md).

Named for the bad pattern, not its best-known symptom: batch norm's moving mean and variance are
the common case, but any non-trainable state that TRAIN assigns (a hand-written moving average,
a running count) and that the train op does not run stays at its initial value the same way.
"""

from __future__ import annotations

from graphlint.checkpoint.reader import classify
from graphlint.findings import Related
from graphlint.rules import Rule
from graphlint.rules._group import listing


class UpdateOpsNotRun(Rule):
    """State updates (batch norm's moving averages, `UPDATE_OPS`) that the train op never runs.

    ## What it does
    Finds non-trainable saved variables that the TRAIN graph assigns (batch norm's moving mean
    and variance, a hand-written moving average) where nothing the train op, the loss or a
    training hook's fetch runs depends on the assign, and that what EVAL or PREDICT returns (the
    loss, the metric values, the predictions, the export outputs) is computed from. Optimizer
    slots, the global step, EMA shadows and metric variables are left out: TF updates those with
    the train op itself. So is state no such result reads (a counter that evaluation increments
    and TRAIN builds too but never runs): its stale value changes nothing a caller sees. Telling
    takes EVAL or PREDICT: with TRAIN alone (`--modes train`) the rule is silent.

    ## Why is this bad
    TensorFlow never runs an op that nothing fetched depends on, and says nothing about it.
    `tf.compat.v1.layers.batch_normalization` puts its moving-average updates in the
    `UPDATE_OPS` collection; a bare `optimizer.minimize(loss)` does not depend on them. Training
    looks fine (it normalizes with the batch statistics), but every checkpoint keeps the initial
    moving mean (0) and variance (1), and EVAL and PREDICT, which normalize with them, silently
    compute something else.

    ## Example
    A moving average of the batch mean, written by hand as batch norm writes it:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        moving_mean = tf.compat.v1.get_variable("moving_mean", [4], trainable=False,
                                                initializer=tf.compat.v1.zeros_initializer())
        if mode == tf.estimator.ModeKeys.TRAIN:
            batch_mean = tf.reduce_mean(features["x"], axis=0)
            update = moving_mean.assign_sub(0.01 * (moving_mean - batch_mean))
            tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.UPDATE_OPS, update)
        logits = linear({"x": features["x"] - moving_mean}, params["units"])
        return spec(mode, logits, labels)   # its minimize() does not depend on UPDATE_OPS
    ```

    ## Fix
    Make the train op depend on the updates (`slim.learning.create_train_op` does this for you):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params


    def model_fn(features, labels, mode, params):
        moving_mean = tf.compat.v1.get_variable("moving_mean", [4], trainable=False,
                                                initializer=tf.compat.v1.zeros_initializer())
        if mode == tf.estimator.ModeKeys.TRAIN:
            batch_mean = tf.reduce_mean(features["x"], axis=0)
            update = moving_mean.assign_sub(0.01 * (moving_mean - batch_mean))
            tf.compat.v1.add_to_collection(tf.compat.v1.GraphKeys.UPDATE_OPS, update)
        logits = linear({"x": features["x"] - moving_mean}, params["units"])
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
        loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
        train_op = None
        if mode == tf.estimator.ModeKeys.TRAIN:
            with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
                train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
                    loss, global_step=tf.compat.v1.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
    ```
    """

    code = "GL403"
    symbol = "update-ops-not-run"
    severity = "error"  # the saved statistics are wrong, silently: evaluation and serving use them
    summary = "TRAIN assigns non-trainable state (batch norm moving averages, UPDATE_OPS) that the train op never runs"

    def check(self, ctx):
        train = ctx.built("train")
        view = ctx.views.get("train")
        if train is None or view is None or not view.training()["precise"]:
            return  # without the train op, "runs" cannot be decided: stay silent
        names = sorted(n for n, v in train.variables.items()
                       if v.saved and not v.trainable and v.kind == "global" and classify(n) == "other")
        updates = {n: u for n, u in view.updates(names).items() if u.assigns and not u.optimizer and not u.opaque}
        runs = view.runs(sorted({op for u in updates.values() for op in u.assigns}))
        stale = {n: u.assigns[0] for n, u in updates.items() if not any(runs[op] for op in u.assigns)}
        readers = _readers(ctx, stale)
        stale = {n: op for n, op in stale.items() if readers.get(n)}
        if stale:  # one cause, whatever the count: the train op does not run the updates
            yield self._finding(ctx, train, sorted(stale), stale, readers)

    def _finding(self, ctx, train, names, stale, readers):
        name, assign = names[0], stale[names[0]]
        results = " and ".join(text for m, text in _RESULTS.items() if any(m in readers[n] for n in names))
        where = "it is in the UPDATE_OPS collection, but " if assign in train.update_ops else ""
        var_site = ctx.site("train", name)
        related = (Related(var_site, f"'{name}' is created here"),) if var_site else ()
        what = (f"'{name}' is non-trainable state that TRAIN updates with '{assign}'" if len(names) == 1 else
                f"{len(names)} non-trainable variables ({listing(names)}) are state that TRAIN updates "
                f"(e.g. '{name}' with '{assign}')")
        return self.finding(
            ("train",), name,
            f"{what} ({where}nothing the train op runs depends on it), so the update never runs: every "
            f"checkpoint keeps the initial value, and {results} are computed from it",
            fix="make the train op depend on the updates: `with tf.control_dependencies("
                "tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):` around `optimizer.minimize(...)` "
                "(or `train_op = tf.group(train_op, *update_ops)`; slim.learning.create_train_op does it)",
            location=ctx.site("train", assign) or var_site, related=related, names=names)


# What each mode returns to its caller (model/outputs.py), as the message names it.
_RESULTS = {"eval": "the evaluation results", "predict": "the predictions"}


def _readers(ctx, names) -> dict:
    """{variable: the modes among EVAL and PREDICT whose results are computed from it}. State no
    result reads is not stale in any way a caller sees (an evaluation-only counter that TRAIN builds
    too and never runs); with neither mode built, nothing is known to read it and the rule is silent."""
    read = {m: ctx.views[m].results_read() for m in _RESULTS if ctx.built(m) and ctx.views.get(m) is not None}
    return {n: [m for m in read if n in read[m]] for n in names}
