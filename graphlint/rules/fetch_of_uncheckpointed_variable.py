"""GL306 fetch-of-uncheckpointed-variable: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules import Rule
from graphlint.rules._variables import variable_of


class FetchOfUncheckpointedVariable(Rule):
    """A hook fetches a saved variable that the checkpoint does not have.

    ## What it does
    For every hook fetch that resolves to a saved variable (or its read), checks that the
    checkpoint has that variable.

    ## Why is this bad
    The value the hook reports cannot come from the checkpoint: restore fails first, or, where a
    custom Saver leaves the variable out, the hook prints the variable's initial value.

    ## Example
    Evaluation state in a global variable, checked against a checkpoint trained by the Fix below,
    which keeps it local; restore fails too (GL301):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    class SeenHook(tf.estimator.SessionRunHook):
        def before_run(self, run_context):
            return tf.estimator.SessionRunArgs("seen:0")


    def model_fn(features, labels, mode, params):
        seen = tf.compat.v1.get_variable("seen", [], trainable=False, initializer=tf.zeros_initializer())
        return spec(mode, linear(features, params["units"]), labels, evaluation_hooks=[SeenHook()])
    ```

    ## Fix
    Fetch a variable the checkpoint has, or keep evaluation-only state in local variables:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    class SeenHook(tf.estimator.SessionRunHook):
        def before_run(self, run_context):
            return tf.estimator.SessionRunArgs("seen:0")


    def model_fn(features, labels, mode, params):
        seen = tf.compat.v1.get_variable("seen", [], trainable=False, initializer=tf.zeros_initializer(),
                                         collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES])
        return spec(mode, linear(features, params["units"]), labels, evaluation_hooks=[SeenHook()])
    ```
    """

    needs_checkpoint = True
    example_also = ("GL301",)  # a saved variable the checkpoint lacks is also a missing restore key
    code = "GL306"
    symbol = "fetch-of-uncheckpointed-variable"
    severity = "error"
    summary = "a hook fetches a saved variable that the checkpoint does not have"

    def check(self, ctx):
        for mode in ctx.built_modes():
            snap = ctx.snapshots[mode]
            for fetch in snap.fetches:
                var = variable_of(fetch.name.split(":")[0], snap.variables) if fetch.resolved else None
                if var is None or not snap.variables[var].saved or ctx.ckpt_key(var) in ctx.checkpoint.entries:
                    continue
                yield self.finding((mode,), fetch.name,
                                   f"{fetch.hook} fetches '{fetch.name}' in {mode}, the value of variable '{var}', "
                                   f"which the checkpoint {ctx.checkpoint.prefix} does not have",
                                   fix="fetch state the checkpoint has, or make evaluation-only state a local variable",
                                   location=fetch.site)
