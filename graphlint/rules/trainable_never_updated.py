"""GL402 trainable-never-updated: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules import Rule
from graphlint.rules._training import eval_state, state, train_reason


class TrainableNeverUpdated(Rule):
    """Trainable variable that the training step never updates.

    ## What it does
    Finds variables in the TRAIN graph's trainable collection that training never changes: no
    optimizer update (no gradient reached them) and no assign that the training step runs.
    Variables that GL401 reports as evaluation state are left to GL401.

    ## Why is this bad
    Every checkpoint holds the variable's initial value. Usually the loss was meant to depend on
    it and does not (it is used only in PREDICT, or after the loss was computed), or the gradient
    is cut (`tf.stop_gradient`, an integer cast), or the optimizer's `var_list` leaves it out.
    If it is meant to stay fixed, `trainable=True` misleads weight decay, EMA and anything else
    that walks `tf.compat.v1.trainable_variables()`.

    ## Example
    A calibration scale that only the served probabilities use:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        scale = tf.compat.v1.get_variable("scale", [], initializer=tf.ones_initializer())
        tf.sigmoid(logits * scale, name="probabilities")   # the loss (in spec) never sees scale
        return spec(mode, logits, labels)
    ```

    ## Fix
    Make the loss depend on it (or, if it is meant to stay fixed, create it with `trainable=False`;
    to freeze part of a model on purpose, ignore GL402 for those names with `ignore-names`):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"]) * tf.compat.v1.get_variable(
            "scale", [], initializer=tf.ones_initializer())
        tf.sigmoid(logits, name="probabilities")
        return spec(mode, logits, labels)
    ```
    """

    code = "GL402"
    symbol = "trainable-never-updated"
    severity = "warning"
    summary = "a trainable variable that training never updates (no gradient reaches it)"

    def check(self, ctx):
        st = state(ctx)
        train = ctx.built("train")
        if st.training is None:
            return
        skip = eval_state(ctx, st)
        names = sorted(n for n, var in train.variables.items() if var.trainable and n not in skip)
        trained = st.training.trained(names)
        for name in names:
            if trained[name]:
                continue
            why, related = train_reason(ctx, st, name)
            yield self.finding(
                ("train",), name,
                f"'{name}' is trainable, but training never updates it: {why}. Every checkpoint holds its "
                f"initial value",
                fix="make the loss depend on it (and give the optimizer a gradient for it), or create it "
                    "with trainable=False if it is meant to stay fixed",
                location=ctx.site("train", name), related=related)
