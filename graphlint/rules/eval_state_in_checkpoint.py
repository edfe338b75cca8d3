"""GL401 eval-state-in-checkpoint: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.findings import Related
from graphlint.rules import Rule
from graphlint.rules._group import by_cause, listing
from graphlint.rules._training import eval_state, state, train_reason


_LOCAL_FIX = ("make it a local variable: collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES], trainable=False "
              "(each evaluation initializes it, no checkpoint holds it), or use a tf.compat.v1.metrics op")


def _plural(modes, verb):
    return f"{'/'.join(modes)} {verb if len(modes) > 1 else verb + 's'}"


class EvalStateInCheckpoint(Rule):
    """Evaluation state kept in a saved, global variable.

    ## What it does
    Finds global (checkpointed) variables that the EVAL or PREDICT graph updates with assign ops
    (`assign_add`, `assign`, scatter updates) while training never updates them: no gradient,
    no assign that the training step runs.

    ## Why is this bad
    It is evaluation state, not model state. As a global variable it is saved by training and
    restored by evaluation, so every mode must create it or restore fails (GL101) with
    `NotFoundError: Key ... not found in checkpoint`; and since training never changes it, every
    checkpoint holds only its initial value. Making it exist in every mode to please the Saver
    is how models end up re-entering scopes and building eval-only ops under other names (GL202).
    If it is also trainable, `tf.compat.v1.trainable_variables()` (the optimizer's default
    var_list, weight decay, EMA) picks it up too.

    ## Example
    A counter of the examples evaluation has seen:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        seen = tf.compat.v1.get_variable("examples_seen", [], initializer=tf.zeros_initializer())
        if mode == tf.estimator.ModeKeys.EVAL:
            tf.compat.v1.assign_add(seen, tf.cast(tf.size(labels), tf.float32), name="count_examples")
        return spec(mode, logits, labels)
    ```

    ## Fix
    Keep it out of the checkpoint: a local variable is initialized by every evaluation and never
    saved (a `tf.compat.v1.metrics` op does exactly that for its own state):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        seen = tf.compat.v1.get_variable("examples_seen", [], initializer=tf.zeros_initializer(),
                                         trainable=False, collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES])
        if mode == tf.estimator.ModeKeys.EVAL:
            tf.compat.v1.assign_add(seen, tf.cast(tf.size(labels), tf.float32), name="count_examples")
        return spec(mode, logits, labels)
    ```
    """

    code = "GL401"
    symbol = "eval-state-in-checkpoint"
    severity = "warning"
    summary = "a saved variable that only EVAL/PREDICT assign and training never updates (evaluation state)"

    def check(self, ctx):
        st = state(ctx)
        items = []  # (name, info, what TRAIN does with it, its notes, creation site, assign site)
        for name, info in sorted(eval_state(ctx, st).items()):
            if not info.in_train and ctx.built("train"):
                continue  # one finding per cause: GL101 reports it, and its fix says to make it local
            training, why = train_reason(ctx, st, name) if info.in_train else ("the train graph does not create it", [])
            items.append((name, info, training, why, ctx.first_site(info.saved_in, name),
                          ctx.site(info.assign_mode, info.assign_op)))
        # One line run once per class (`for c in range(n):`) is one cause: one finding names every variable.
        for _, group in by_cause(items, _cause):
            yield self._finding(ctx, group)

    def _finding(self, ctx, group):
        name, info, training, why, site, assign_site = group[0]
        names = [it[0] for it in group]
        op_type = ctx.snapshots[info.assign_mode].ops.get(info.assign_op, "assign")
        where = f" at {assign_site}" if assign_site else ""
        related = [Related(assign_site, f"{info.assign_mode} updates {'it' if len(group) == 1 else 'them'} "
                                        f"here ({op_type})")] if assign_site else []
        related.extend(why)
        if info.in_train:
            kept = ("training saves only its initial value, evaluation restores it from there, and the "
                    "train graph has to create it, or restore fails (GL101)")
        else:
            kept = ("evaluation restores it from the training checkpoint, which cannot have it (GL101); "
                    "creating it in training too, only for the Saver, would put it in every checkpoint")
        extra = (" It is also trainable, so tf.compat.v1.trainable_variables() (the optimizer's default "
                 "var_list, weight decay, EMA) includes it.") if info.trainable else ""
        updates = f"only {_plural(info.assigned_in, 'update')} ({op_type}{where})"
        if len(group) == 1:
            what = (f"'{name}' is a saved (global) variable that {updates}; training never does: {training}. "
                    f"It is evaluation state in a saved variable: {kept}.{extra}")
        else:
            what = (f"{len(group)} saved (global) variables ({listing(names)}), created by one line, are variables that "
                    f"{updates}; training never does (e.g. '{name}': {training}). They are evaluation state in "
                    f"saved variables; for each: {kept}.{extra.replace(' It is', ' Each is')}")
        return self.finding(info.saved_in, name, what, fix=_LOCAL_FIX, location=site, related=tuple(related),
                            names=names)


def _cause(item):
    """Variables one line creates, updated by one line, that training leaves alone for the same reason."""
    name, info, training, _, site, assign_site = item
    if site is None:
        return None
    return (info.saved_in, info.assigned_in, info.in_train, info.trainable, training,
            (site.file, site.line), assign_site and (assign_site.file, assign_site.line))
