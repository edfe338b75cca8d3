"""GL304 unused-checkpoint-key: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules import Rule
from graphlint.rules._shapes import show


class UnusedCheckpointKey(Rule):
    """A checkpoint key that no mode's graph restores.

    ## What it does
    Lists the checkpoint keys that no built mode restores. Optimizer slots, global_step, EMA
    shadows and object-graph metadata are expected and only counted in the table; other keys
    (your model's own variables) are reported one by one.

    ## Why is this bad
    Trained values are silently left behind. It is often the other half of a rename: the graph
    asks for `encoder_v2/w`, the checkpoint has `encoder/w` (GL301 reports the missing half),
    and a warm start skips the trained weights. Or a custom Saver's `var_list` leaves variables
    out (GL308).

    ## Example
    The model's scope was renamed since the checkpoint (trained by the Fix below) was written:
    the graph now asks for `encoder_v2/w` (GL301) and the checkpoint's `encoder/w` is left over.
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder_v2"):
            logits = linear(features, params["units"])
        return spec(mode, logits, labels)
    ```

    ## Fix
    Keep the name the checkpoint has (or restore it with the assignment_map graphlint prints):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder"):
            logits = linear(features, params["units"])
        return spec(mode, logits, labels)
    ```
    """

    needs_checkpoint = True
    example_also = ("GL301",)  # a rename leaves a key unused and another one missing
    code = "GL304"
    symbol = "unused-checkpoint-key"
    severity = "info"
    summary = "a checkpoint key (of the model's own variables) that no mode restores"

    def check(self, ctx):
        paired = {p.b: p.a for p in ctx.renames}
        for key in ctx.unused_keys():
            entry = ctx.checkpoint.entries[key]
            if entry.cls != "other":
                continue
            hint = f"; it pairs with '{paired[key]}', which the graph restores but the checkpoint lacks" \
                if key in paired else ""
            yield self.finding((), key, f"'{key}' {show(entry.shape)} {entry.dtype} is in the checkpoint but no "
                               f"built mode restores it{hint}",
                               fix="restore it under its old name (see the assignment_map), or ignore it if "
                                   "the variable was removed on purpose")
