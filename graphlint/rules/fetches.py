"""GL2xx: what the hooks ask the session to fetch does not exist in the graph they run in."""

from __future__ import annotations

from graphlint.findings import Related
from graphlint.analysis.match import did_you_mean, uniquified_twins
from graphlint.rules import Rule


# How each kind of Fetch reaches TF: a lookup in begin(), a fetch or feed of Session.run, or end().
_VERBS = {"begin": "looks up", "before_run": "fetches", "feed": "feeds", "end": "fetches at the end of the mode"}


def _elsewhere(ctx, mode, op_name):
    return [m for m in ctx.built_modes() if m != mode and op_name in ctx.snapshots[m].ops]


class FetchOfMissingTensor(Rule):
    """Hook fetches a name that the mode's graph does not have.

    ## What it does
    Calls every hook of the EstimatorSpec (`begin()`, then `before_run()`) in the graph of the mode
    that runs it, and resolves each fetch exactly as `Session.run` does.

    ## Why is this bad
    The first `session.run` of that mode fails with
    `The name 'x:0' refers to a Tensor which does not exist`, after training has already run.

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
                    f"{fetch.hook} {_VERBS.get(fetch.moment, 'fetches')} '{fetch.name}' in {mode}, "
                    f"but {fetch.error or 'it does not exist'}{extra}",
                    fix="fetch only what this mode builds: build it in every mode, or return no fetch "
                        "from before_run in this mode",
                    location=fetch.site)


class ReenteredVariableScope(Rule):
    """Hook fetches a name whose scope was re-entered and silently renamed.

    ## What it does
    When a fetched name is missing but a uniquified twin exists (`class_0_1/auc` for `class_0/auc`),
    explains it: the scope was entered a second time by its string name, and TensorFlow gave the
    second entry a fresh name scope.

    ## Why is this bad
    `variable_scope('class_0')` entered again reuses the *variable* scope (variables keep their
    names) but opens a new, uniquified *name* scope, `class_0_1`, for the ops. Hooks that fetch
    `class_0/...` by name fail with `The name 'class_0/...:0' refers to a Tensor which does not exist`.

    ## Example
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    class ScoreHook(tf.estimator.SessionRunHook):
        def before_run(self, run_context):
            return tf.estimator.SessionRunArgs("head/score:0")


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("head"):
            logits = linear(features, params["units"])   # the variable head/w
        with tf.compat.v1.variable_scope("head"):
            tf.reduce_sum(logits, name="score")          # really head_1/score
        return spec(mode, logits, labels, training_hooks=[ScoreHook()])
    ```

    ## Fix
    Build both parts under one entry of the scope, or re-enter with the scope object and
    `auxiliary_name_scope=False` (then open its `original_name_scope`):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    class ScoreHook(tf.estimator.SessionRunHook):
        def before_run(self, run_context):
            return tf.estimator.SessionRunArgs("head/score:0")


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("head") as scope:
            logits = linear(features, params["units"])
        with tf.compat.v1.variable_scope(scope, auxiliary_name_scope=False):
            with tf.name_scope(scope.original_name_scope):
                tf.reduce_sum(logits, name="score")      # head/score
        return spec(mode, logits, labels, training_hooks=[ScoreHook()])
    ```
    """

    code = "GL202"
    symbol = "reentered-variable-scope"
    severity = "error"
    summary = "a hook fetch misses because its scope was re-entered and TensorFlow renamed it (x -> x_1)"

    def check(self, ctx):
        for mode in ctx.built_modes():
            snap = ctx.snapshots[mode]
            groups = {}
            for fetch in snap.fetches:
                twins = [] if fetch.resolved else uniquified_twins(fetch.name, snap.renames, snap.ops)
                if twins:
                    rename, twin = twins[0]
                    groups.setdefault(rename, []).append((fetch, twin))
            for rename, pairs in groups.items():
                yield self._finding(mode, rename, pairs)

    def _finding(self, mode, rename, pairs):
        fetch, twin = pairs[0]
        names = ", ".join(f"'{f.name}'" for f, _ in pairs)
        count = f"{len(pairs)} names" if len(pairs) > 1 else "a name"
        where = f" at {rename.site}" if rename.site else ""
        first = f" (first at {rename.first_site})" if rename.first_site else ""
        related = []
        if rename.first_site:
            related.append(Related(rename.first_site, f"scope '{rename.requested}' first entered here"))
        if rename.site:
            related.append(Related(rename.site, f"entered again here: TensorFlow opened name scope '{rename.got}'"))
        return self.finding(
            (mode,), rename.requested + "/",
            f"{fetch.hook} {_VERBS.get(fetch.moment, 'fetches')} {count} under '{rename.requested}/' in {mode} ({names}), but they were "
            f"built under '{rename.got}/' (e.g. '{twin}'): the scope '{rename.requested}' was entered a "
            f"second time{where}{first}, and the second entry opened the name scope '{rename.got}'",
            fix=f"build both parts under one entry of '{rename.requested}', or re-enter it with the "
                "scope object: `with tf.compat.v1.variable_scope(scope, auxiliary_name_scope=False)` "
                "plus `tf.name_scope(scope.original_name_scope)`",
            location=rename.site or fetch.site, related=tuple(related))


class HookBeforeRunFailed(Rule):
    """A hook raised in begin() or before_run().

    ## What it does
    Reports hooks whose `begin()` or `before_run()` raised when graphlint called them in the
    mode's graph (with a run context that has no session).

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
                                       f"{mode}: {err.message}", location=err.site,
                                       fix="make begin()/before_run() work in every mode the hook is attached to")
                    continue
                when = "in begin()" if err.moment == "begin" else "while the session was created"
                yield self.finding((mode,), err.hook, f"{err.hook} raised {when} in {mode}: {err.message}; "
                                   f"MonitoredSession does the same, so {mode} fails before its first step",
                                   location=err.site, severity="error",
                                   fix="make begin() work in every mode the hook is attached to, or attach the "
                                       "hook only to the modes it works in")
