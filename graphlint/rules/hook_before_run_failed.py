"""GL203 hook-before-run-failed: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules import Rule
from graphlint.rules._fetches import at_step


class HookBeforeRunFailed(Rule):
    """A hook raised in begin() or before_run().

    ## What it does
    Reports hooks whose `begin()` or `before_run()` raised when graphlint called them in the
    mode's graph (with a run context that has no session), `before_run()` at any of the steps
    graphlint simulates (the finding says at which, after the first).

    ## Why is this bad
    MonitoredSession calls begin() on every hook before the first step, so a hook whose begin()
    raises fails that mode (an error). When before_run() raises, it may only be for want of the live
    session graphlint cannot give it (a warning): its fetches go unchecked.

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
    summary = "a hook raised in begin() (the mode fails) or before_run() (its fetches go unchecked)"

    def check(self, ctx):
        for mode in ctx.built_modes():
            for err in ctx.snapshots[mode].hook_errors:
                if err.moment == "before_run":  # graphlint's run context has no session: maybe only ours
                    yield self.finding((mode,), err.hook, f"{err.hook} raised while preparing its fetches in "
                                       f"{mode}{at_step(err)}: {err.message}{_fed(err)}", location=err.site,
                                       fix="make begin()/before_run() work in every mode the hook is attached to")
                    continue
                when = "in begin()" if err.moment == "begin" else "while the session was created"
                yield self.finding((mode,), err.hook, f"{err.hook} raised {when} in {mode}: {err.message}; "
                                   f"MonitoredSession does the same, so {mode} fails before its first step",
                                   location=err.site, severity="error",
                                   fix="make begin() work in every mode the hook is attached to, or attach the "
                                       "hook only to the modes it works in")


def _fed(err) -> str:
    """After the first step the hook has seen graphlint's placeholder results: say so, it may be why."""
    return " (graphlint's steps before it fed the hook placeholder results, not a real run's)" if err.step > 1 else ""
