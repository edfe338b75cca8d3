"""GL309 warm-start-shape-mismatch: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules import Rule
from graphlint.rules._rejected import rejected
from graphlint.rules._shapes import show_shape


class WarmStartShapeMismatch(Rule):
    """A warm-start map loads a checkpoint key into a variable of another shape.

    ## What it does
    Reports `tf.compat.v1.train.init_from_checkpoint` entries `{key: variable}` whose key the
    checkpoint has, with a shape the variable's shape is not compatible with (TensorFlow rejects
    the map while `model_fn` builds the graph), with both shapes and the line of the call.

    ## Why is this bad
    TensorFlow raises while building the graph, so training never starts. The key is there, so
    the fix is not the map's names (GL305 warm-start-missing-key) but what is loaded: a layer
    that was resized since the checkpoint was written cannot take the old values.

    ## Example
    Warm-starting a widened layer from an older model's checkpoint, where `enc/w` is [4, 3]
    (`old_checkpoint()` writes one):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, old_checkpoint, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder"):
            logits = linear(features, 5)   # [4, 5] now
        tf.compat.v1.train.init_from_checkpoint(old_checkpoint(), {"enc/w": "encoder/w"})
        return spec(mode, logits, labels)
    ```

    ## Fix
    Warm-start only the variables whose shape did not change (a resized one starts from its
    initializer), or keep the shape the checkpoint was trained with:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, old_checkpoint, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder"):
            logits = linear(features, params["units"])   # [4, 3], as in the checkpoint
        tf.compat.v1.train.init_from_checkpoint(old_checkpoint(), {"enc/w": "encoder/w"})
        return spec(mode, logits, labels)
    ```
    """

    code = "GL309"
    symbol = "warm-start-shape-mismatch"
    severity = "error"
    summary = "an init_from_checkpoint (warm-start) map loads a key into a variable of another shape"

    def check(self, ctx):
        for site, entry, modes in rejected(ctx, ("shape",)):
            yield self.finding(
                modes, entry.target,
                f"init_from_checkpoint maps '{entry.key}' {show_shape(entry.checkpoint_shape)} onto "
                f"'{entry.target}' {show_shape(entry.variable_shape)} while building {'/'.join(modes)}: "
                f"the checkpoint has the key, with a shape the variable's is not compatible with",
                fix=f"leave '{entry.target}' out of the map (it then starts from its initializer), or give it "
                    f"the shape {show_shape(entry.checkpoint_shape)} the checkpoint was trained with",
                location=site)
