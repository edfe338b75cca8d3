"""GL305 warm-start-missing-key: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules import Rule
from graphlint.rules._rejected import failed_warm_starts, rejected


class WarmStartMissingKey(Rule):
    """A warm-start map names checkpoint keys or scopes the checkpoint does not have.

    ## What it does
    Reports `tf.compat.v1.train.init_from_checkpoint` calls whose assignment_map names a key, or a
    scope, that checkpoint does not have (TensorFlow rejects the map while `model_fn` builds the
    graph), each rejected entry with the line of the call. For a scope entry (`'old/': 'new/'`) it
    names every variable under the scope whose key the checkpoint lacks, as TensorFlow resolves the
    entry (a variable only one mode creates fails that mode only). A key that exists with another
    shape is GL309 warm-start-shape-mismatch.

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
        fix = "map only keys and scopes the checkpoint has (list them with graphlint ckpt)"
        for site, entry, modes in rejected(ctx, ("missing", "map")):
            name = entry.target if entry.scope else entry.key  # a scope entry: the variable it cannot load
            yield self.finding(modes, name, f"init_from_checkpoint's assignment_map, while building "
                               f"{'/'.join(modes)}: {_problem(entry)}", fix=fix, location=site)
        for (site, entries, exc_type, message), modes in failed_warm_starts(ctx).items():
            if not entries:  # not diagnosed (the checkpoint cannot be read): TF's own words
                yield self.finding(modes, "init_from_checkpoint",
                                   f"init_from_checkpoint rejected its assignment_map while building "
                                   f"{'/'.join(modes)}: {exc_type}: {message}", fix=fix, location=site)


def _problem(entry) -> str:
    if entry.scope:
        return (f"'{entry.scope[0]}' -> '{entry.scope[1]}' maps variable '{entry.target}' to '{entry.key}', "
                f"which the checkpoint does not have")
    mapping = f"'{entry.key}' -> '{entry.target}'"
    if entry.why == "map":
        return f"{mapping} maps a name onto a scope: map a scope ('old/') onto a scope, or a key onto a variable"
    if entry.key.endswith("/"):
        return f"{mapping}: the checkpoint has no key under '{entry.key}' for a variable under '{entry.target}'"
    return f"{mapping}: the checkpoint has no key '{entry.key}'"
