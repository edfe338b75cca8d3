"""GL305 warm-start-missing-key: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules import Rule


class WarmStartMissingKey(Rule):
    """A warm-start map names checkpoint keys or scopes the checkpoint does not have.

    ## What it does
    Reports `tf.compat.v1.train.init_from_checkpoint` calls whose assignment_map TensorFlow rejects
    while `model_fn` builds the graph (a key or scope missing from that checkpoint, or a shape
    that does not match), with the line of the call.

    ## Why is this bad
    TensorFlow raises while building the graph, so training never starts; in a long pipeline this
    happens after data preparation and scheduling, and the message names only the first key.

    ## Example
    Warm-starting from a checkpoint of an older model, whose scope was `enc` (`old_checkpoint()`
    writes one):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, old_checkpoint, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder"):
            logits = linear(features, params["units"])
        tf.compat.v1.train.init_from_checkpoint(old_checkpoint(), {"encoder/": "encoder/"})   # it has enc/
        return spec(mode, logits, labels)
    ```

    ## Fix
    Map the scopes the checkpoint really has (`graphlint ckpt DIR` lists them):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, old_checkpoint, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder"):
            logits = linear(features, params["units"])
        tf.compat.v1.train.init_from_checkpoint(old_checkpoint(), {"enc/": "encoder/"})
        return spec(mode, logits, labels)
    ```
    """

    code = "GL305"
    symbol = "warm-start-missing-key"
    severity = "error"
    summary = "an init_from_checkpoint (warm-start) map names keys the checkpoint does not have"

    def check(self, ctx):
        by_call = {}
        for mode, snap in ctx.snapshots.items():
            failure = snap.failure
            if failure is not None and failure.kind == "warm-start":
                by_call.setdefault((failure.site, failure.exc_type, failure.message), []).append(mode)
        for (site, exc_type, message), modes in by_call.items():
            yield self.finding(modes, "init_from_checkpoint",
                               f"init_from_checkpoint rejected its assignment_map while building "
                               f"{'/'.join(modes)}: {exc_type}: {message}",
                               fix="map only keys and scopes the checkpoint has (list them with graphlint ckpt)",
                               location=site)
