"""GL107 ema-shadow-not-trained: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

import re
from collections import defaultdict

from graphlint.findings import Related
from graphlint.rules import Rule
from graphlint.rules._group import by_cause, checkpoint_lacks, listing, saver_site
from graphlint.rules._variables import restored_variable


_EMA = re.compile(r"MovingAverage")


class EmaShadowNotTrained(Rule):
    """EVAL/PREDICT restore moving averages that training never creates.

    ## What it does
    Finds checkpoint keys that an EVAL or PREDICT Saver restores into a variable of another name,
    `w/ExponentialMovingAverage` into `w` (the mapping `ExponentialMovingAverage.variables_to_restore()`
    builds), when the TRAIN graph never creates that moving average.

    ## Why is this bad
    Only training creates the shadow variables, with `ema.apply(...)`. With the EMA turned off
    in training (or applied to other variables), no checkpoint has the shadow, and evaluation or
    export fails at restore with `NotFoundError: Key w/ExponentialMovingAverage not found in checkpoint`.

    ## Example
    The EMA is a training option, but evaluation always restores the averages:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, train_op

    params = {"units": 3, "use_ema": False}


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        ema = tf.compat.v1.train.ExponentialMovingAverage(0.99)
        scaffold = None
        if mode != tf.estimator.ModeKeys.TRAIN:   # evaluation and export read the averages
            scaffold = tf.compat.v1.train.Scaffold(saver=tf.compat.v1.train.Saver(ema.variables_to_restore()))
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits}, scaffold=scaffold)
        loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
        step = train_op(mode, loss)
        if step is not None and params["use_ema"]:
            with tf.control_dependencies([step]):
                step = ema.apply(tf.compat.v1.trainable_variables())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=step, scaffold=scaffold)
    ```

    ## Fix
    Restore the averages only when training makes them, deciding both from the same param (or
    apply the EMA in training whenever evaluation restores averages):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, train_op

    params = {"units": 3, "use_ema": False}


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        ema = tf.compat.v1.train.ExponentialMovingAverage(0.99)
        scaffold = None
        if mode != tf.estimator.ModeKeys.TRAIN and params["use_ema"]:   # the same condition as training
            scaffold = tf.compat.v1.train.Scaffold(saver=tf.compat.v1.train.Saver(ema.variables_to_restore()))
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits}, scaffold=scaffold)
        loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
        step = train_op(mode, loss)
        if step is not None and params["use_ema"]:
            with tf.control_dependencies([step]):
                step = ema.apply(tf.compat.v1.trainable_variables())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=step, scaffold=scaffold)
    ```
    """

    code = "GL107"
    symbol = "ema-shadow-not-trained"
    severity = "error"
    summary = "EVAL/PREDICT restore a variable from its moving average (EMA shadow), which training never creates"
    supersedes = ("GL101",)  # the key TRAIN never creates is the shadow; GL101's fix (a local variable) is wrong for it

    def check(self, ctx):
        train = ctx.built("train")
        if train is None:
            return
        found = defaultdict(list)
        for mode in ctx.built_modes():
            if mode == "train":
                continue
            snap = ctx.snapshots[mode]
            for key, rk in sorted(snap.restore_keys.items()):
                var = restored_variable(snap, rk)
                if key not in train.restore_keys and key.startswith(var + "/") and _EMA.search(key[len(var) + 1:]):
                    found[key].append(mode)
        savers, items = {}, []  # items: (key, modes, var, Saver site)
        for key, modes in sorted(found.items()):
            var = restored_variable(ctx.snapshots[modes[0]], ctx.snapshots[modes[0]].restore_keys[key])
            items.append((key, tuple(modes), var, saver_site(ctx, modes[0], key, savers)))
        # One Saver over ema.variables_to_restore() is one cause, however many variables it maps.
        for _, group in by_cause(items, lambda it: (it[1], it[3]) if it[3] else None):
            yield self._finding(ctx, train, group)

    def _finding(self, ctx, train, group):
        key, modes, var, saver = group[0]
        suffix = key[len(var) + 1:]
        averaged = sorted(n for n in train.variables if n.endswith("/" + suffix))  # the shadows it has
        if averaged:
            trained = (f"the train graph averages other variables (e.g. '{averaged[0]}') but not "
                       f"'{var}'" if len(group) == 1 else
                       f"the train graph averages {len(averaged)} other variables (e.g. '{averaged[0]}') "
                       f"but not these")
        else:
            trained = (f"the train graph creates no '.../{suffix}' variable at all (ema.apply() is not called "
                       f"in training)")
        var_site = ctx.first_site(modes, var)
        related = (Related(var_site, f"'{var}' is created here"),) if var_site and saver else ()
        if len(group) == 1:
            what = (f"'{key}' is the moving-average shadow of '{var}': the {'/'.join(modes)} Saver restores "
                    f"'{var}' from it")
        else:
            what = (f"{len(group)} keys ({listing([it[0] for it in group])}) are moving-average shadows: the "
                    f"{'/'.join(modes)} Saver restores {len(group)} variables ('{var}', ...) from them")
        return self.finding(
            modes, key,
            f"{what} (as ExponentialMovingAverage.variables_to_restore() maps it), but "
            f"{trained}, so no training checkpoint has {'it' if len(group) == 1 else 'them'}"
            f"{checkpoint_lacks(ctx, [it[0] for it in group])}: restore fails with "
            f"`NotFoundError: Key {key} not found in checkpoint`",
            fix="apply the moving average to the variables in training (train_op = tf.group(train_op, "
                "ema.apply(...))) whenever evaluation restores averages, or restore the plain variables "
                "(no Saver(ema.variables_to_restore())) when the EMA is off, deciding both from the same param",
            location=saver or var_site, related=related, names=[it[0] for it in group])
