"""GL203 hook-before-run-failed: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules import Rule


class HookBeforeRunFailed(Rule):
    """A hook raised in begin() or before_run().

    ## What it does
    Reports hooks whose `begin()` or `before_run()` raised when graphlint called them in the
    mode's graph (with a run context that has no session).

    ## Why is this bad
    graphlint cannot see what the hook fetches, so its fetches go unchecked; if the hook also raises
    under MonitoredSession, that mode fails on its first step.

    ## Example
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    class LogitsHook(tf.estimator.SessionRunHook):
        def begin(self):
            self.tensors = {t.op.name: t for t in tf.compat.v1.get_collection("debug")}

        def before_run(self, run_context):
            return tf.estimator.SessionRunArgs(self.tensors["eval_logits"])   # KeyError in TRAIN


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        if mode == tf.estimator.ModeKeys.EVAL:
            tf.compat.v1.add_to_collection("debug", tf.identity(logits, name="eval_logits"))
        hooks = [LogitsHook()]
        return spec(mode, logits, labels, training_hooks=hooks, evaluation_hooks=hooks)
    ```

    ## Fix
    Compute fetches from the graph in `begin()` and handle the modes that do not build them:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    class LogitsHook(tf.estimator.SessionRunHook):
        def begin(self):
            self.tensors = {t.op.name: t for t in tf.compat.v1.get_collection("debug")}

        def before_run(self, run_context):
            if "eval_logits" not in self.tensors:
                return None
            return tf.estimator.SessionRunArgs(self.tensors["eval_logits"])


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        if mode == tf.estimator.ModeKeys.EVAL:
            tf.compat.v1.add_to_collection("debug", tf.identity(logits, name="eval_logits"))
        hooks = [LogitsHook()]
        return spec(mode, logits, labels, training_hooks=hooks, evaluation_hooks=hooks)
    ```
    """

    code = "GL203"
    symbol = "hook-before-run-failed"
    severity = "warning"
    summary = "a hook raised in begin() or before_run(), so its fetches could not be checked"

    def check(self, ctx):
        for mode in ctx.built_modes():
            for hook, message, site in ctx.snapshots[mode].hook_errors:
                yield self.finding((mode,), hook, f"{hook} raised while preparing its fetches in {mode}: {message}",
                                   fix="make begin()/before_run() work in every mode the hook is attached to",
                                   location=site)
