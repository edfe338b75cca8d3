"""GL201 fetch-of-missing-tensor: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.analysis.match import did_you_mean, uniquified_twins
from graphlint.rules import Rule
from graphlint.rules._fetches import at_step, verb


def _elsewhere(ctx, mode, op_name):
    return [m for m in ctx.built_modes() if m != mode and op_name in ctx.snapshots[m].ops]


class FetchOfMissingTensor(Rule):
    """Hook fetches a name that the mode's graph does not have.

    ## What it does
    Calls every hook of the EstimatorSpec (`begin()`, then `before_run()` and `after_run()` step
    after step) in the graph of the mode that runs it, and resolves each fetch exactly as
    `Session.run` does. A hook that fetches on a schedule (every N steps, on a timer) is stepped
    until it has fetched every name it will (up to 1000 steps after its last new one), and the
    finding says at which step it first fetches the name: "at step 50". Timers on seconds run on
    a simulated clock on which each step lasts an hour, so they fire within a few steps; for them
    the step is the simulation's, not the real run's. A schedule on the global step a hook fetches
    in the same `session.run` as the train op (the variable itself, as `ProfilerHook` does) reads
    it unordered against the train op's increment: TensorFlow usually gives the value before it,
    sometimes the one after, so the finding names two steps, "at step 50 or 51 (or later)". A read
    the increment waits for (a control dependency) keeps one exact step.

    ## Why is this bad
    The `session.run` of that mode that fetches it fails with
    `The name 'x:0' refers to a Tensor which does not exist`, after training has already run
    (for a scheduled fetch: after the steps before it).

    ## Example
    The hook runs in training too, where `eval_logits` is never built:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    class LogitsHook(tf.estimator.SessionRunHook):
        def before_run(self, run_context):
            return tf.estimator.SessionRunArgs("eval_logits:0")


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        if mode == tf.estimator.ModeKeys.EVAL:
            tf.identity(logits, name="eval_logits")
        hooks = [LogitsHook()]
        return spec(mode, logits, labels, training_hooks=hooks, evaluation_hooks=hooks)
    ```

    ## Fix
    Attach the hook only to the modes that build what it fetches (or build it in every mode):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    class LogitsHook(tf.estimator.SessionRunHook):
        def before_run(self, run_context):
            return tf.estimator.SessionRunArgs("eval_logits:0")


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        if mode == tf.estimator.ModeKeys.EVAL:
            tf.identity(logits, name="eval_logits")
        return spec(mode, logits, labels, evaluation_hooks=[LogitsHook()])
    ```
    """

    code = "GL201"
    symbol = "fetch-of-missing-tensor"
    severity = "error"
    summary = "a hook fetches a tensor or op that does not exist in its mode's graph"

    def check(self, ctx):
        for mode in ctx.built_modes():
            snap = ctx.snapshots[mode]
            for fetch in snap.fetches:
                if fetch.resolved or uniquified_twins(fetch.name, snap.renames, snap.ops):
                    continue
                op_name = fetch.name.split(":")[0]
                hints = []
                other = _elsewhere(ctx, mode, op_name)
                if other:
                    hints.append(f"it exists only in {'/'.join(other)}")
                guess = did_you_mean(op_name, snap.ops)
                if guess:
                    hints.append(f"did you mean '{guess}'?")
                extra = f" ({'; '.join(hints)})" if hints else ""
                yield self.finding(
                    (mode,), fetch.name,
                    f"{fetch.hook} {verb(fetch)} '{fetch.name}' in {mode}{at_step(fetch)}, "
                    f"but the {mode} graph has no such name{extra}"
                    f"{f' (TensorFlow: {fetch.error})' if fetch.error else ''}",
                    fix="fetch only what this mode builds: build it in every mode, or return no fetch "
                        "from before_run in this mode",
                    location=fetch.site)
