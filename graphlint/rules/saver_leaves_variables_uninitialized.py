"""GL308 saver-leaves-variables-uninitialized: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules import Rule
from graphlint.rules._notes import branch


class SaverLeavesVariablesUninitialized(Rule):
    """A custom Saver leaves global variables out, so they are never initialized after a restore.

    ## What it does
    When the EstimatorSpec's scaffold (or the SAVERS collection) supplies a Saver with its own
    var_list, lists the global variables that Saver does not restore.

    ## Why is this bad
    When a checkpoint exists, MonitoredSession restores it *instead of* running the init op, so a
    global variable the Saver skips is never initialized, and session creation fails its ready
    check: `Variables not initialized: ...`. Evaluation and resumed training stop before the first step.

    ## Example
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        scale = tf.compat.v1.get_variable("scale", [], initializer=tf.compat.v1.ones_initializer())
        saver = tf.compat.v1.train.Saver([v for v in tf.compat.v1.global_variables() if v is not scale])
        return spec(mode, logits * scale, labels, scaffold=tf.compat.v1.train.Scaffold(saver=saver))
    ```

    ## Fix
    Restore every global variable (or make the skipped ones local variables):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        scale = tf.compat.v1.get_variable("scale", [], initializer=tf.compat.v1.ones_initializer())
        saver = tf.compat.v1.train.Saver(tf.compat.v1.global_variables())
        return spec(mode, logits * scale, labels, scaffold=tf.compat.v1.train.Scaffold(saver=saver))
    ```
    """

    code = "GL308"
    symbol = "saver-leaves-variables-uninitialized"
    severity = "error"
    summary = "a custom Saver's var_list leaves global variables out: after a restore they are never initialized"

    # why, from graphview.uninitialized_after_restore: what session creation does instead
    _WHY = {
        "ready_for_local_init_op": "ready_for_local_init_op reports it uninitialized, so local_init_op never runs",
        "local_init_op": "local_init_op does not initialize it either",
    }

    def check(self, ctx):
        missing = {}
        for mode in ctx.built_modes():
            for name, why in ctx.snapshots[mode].uninitialized.items():
                missing.setdefault(name, (why, []))[1].append(mode)
        for name, (why, modes) in sorted(missing.items()):
            site = ctx.first_site(modes, name)
            yield self.finding(
                modes, name, f"'{name}' is a global variable that the {'/'.join(modes)} graph's custom Saver does "
                "not restore; when a checkpoint exists MonitoredSession restores it and runs neither init_op nor "
                f"init_fn, {self._WHY.get(why, why)}, and session creation fails: `Variables not initialized: {name}`",
                fix="add it to the Saver's var_list, make it a local variable, or initialize it in the scaffold's "
                    "local_init_op with a ready_for_local_init_op that does not check it",
                location=site, related=branch(site))
