"""GL202 reentered-variable-scope: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.analysis.match import uniquified_twins
from graphlint.findings import Related
from graphlint.rules import Rule
from graphlint.rules._fetches import verb
from graphlint.wording import agree


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
        were = agree(len(pairs), "it was", "they were")
        where = f" at {rename.site}" if rename.site else ""
        first = f" (first at {rename.first_site})" if rename.first_site else ""
        related = []
        if rename.first_site:
            related.append(Related(rename.first_site, f"scope '{rename.requested}' first entered here"))
        if rename.site:
            related.append(Related(rename.site, f"entered again here: TensorFlow opened name scope '{rename.got}'"))
        return self.finding(
            (mode,), rename.requested + "/",
            f"{fetch.hook} {verb(fetch)} {count} under '{rename.requested}/' in {mode} ({names}), but {were} "
            f"built under '{rename.got}/' (e.g. '{twin}'): the scope '{rename.requested}' was entered a "
            f"second time{where}{first}, and the second entry opened the name scope '{rename.got}'",
            fix=f"build both parts under one entry of '{rename.requested}', or re-enter it with the "
                "scope object: `with tf.compat.v1.variable_scope(scope, auxiliary_name_scope=False)` "
                "plus `tf.name_scope(scope.original_name_scope)`",
            location=rename.site or fetch.site, related=tuple(related))
