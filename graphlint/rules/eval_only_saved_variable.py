"""GL101 eval-only-saved-variable: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from collections import defaultdict

from graphlint.rules import Rule
from graphlint.rules._group import by_cause, cause_key, cause_sites, checkpoint_lacks, listing, saver_site, slot_owners
from graphlint.rules._notes import branch
from graphlint.rules._variables import restored_variable


_LOCAL_FIX = ("create it in every mode (outside any `if` on the mode), or, if it is evaluation-only "
              "state, keep it out of the checkpoint: collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES], "
              "trainable=False, or a tf.compat.v1.metrics op")


class EvalOnlySavedVariable(Rule):
    """Saved variable that the TRAIN graph never creates.

    ## What it does
    Finds checkpoint keys that the EVAL or PREDICT graph's Saver restores but the TRAIN graph
    does not create, so the checkpoints written by training cannot contain them.

    ## Why is this bad
    Evaluation, export and serving restore the training checkpoint. A global variable created
    only under `if not is_training:` is in the EVAL graph's Saver but never in the checkpoint,
    and restore fails hours later with `NotFoundError: Key ... not found in checkpoint`.

    ## Example
    A temperature that calibrates the logits at evaluation and serving time only:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        if mode != tf.estimator.ModeKeys.TRAIN:
            temperature = tf.compat.v1.get_variable("temperature", [], initializer=tf.ones_initializer())
            logits = logits / temperature
        return spec(mode, logits, labels)
    ```

    ## Fix
    Create the variable in every mode and use it where it is wanted. (Evaluation-only state,
    such as a counter that evaluation updates, belongs in a local variable instead:
    `collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES]`, or a `tf.compat.v1.metrics` op.)
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        temperature = tf.compat.v1.get_variable("temperature", [], trainable=False,
                                                initializer=tf.ones_initializer())
        if mode != tf.estimator.ModeKeys.TRAIN:
            logits = logits / temperature
        return spec(mode, logits, labels)
    ```
    """

    code = "GL101"
    symbol = "eval-only-saved-variable"
    severity = "error"
    summary = "a variable EVAL/PREDICT restores is never created by TRAIN, so the checkpoint lacks it"
    # the checkpoint lacks the key because TRAIN never creates it (GL301); the variable and its own
    # ops are names of some modes only (GL104), which this finding already names
    supersedes = ("GL301", "GL104")

    def check(self, ctx):
        train = ctx.built("train")
        if train is None:
            return
        missing = defaultdict(list)
        for mode in ("eval", "predict"):
            snap = ctx.built(mode)
            for key in sorted(snap.restore_keys) if snap else ():
                if key not in train.restore_keys and self.unclaimed(ctx, key, (mode,)):
                    missing[key].append(mode)
        items = []  # (key, modes, site, cause)
        for modes in sorted({tuple(m) for m in missing.values()}):
            items += self._items(ctx, train, modes, sorted(k for k, m in missing.items() if tuple(m) == modes))
        # A slot (`score_bias/Adagrad`) is missing because its variable is: it joins its variable's cause.
        owners, first = slot_owners(missing), {it[0]: it for it in items}
        items = [(k, ms, first[owners[k]][2], first[owners[k]][3]) if k in owners else (k, ms, site, cause)
                 for k, ms, site, cause in items]
        for _, group in by_cause(items, lambda it: (it[1], it[3])):
            yield self._finding(ctx, group)

    @staticmethod
    def _items(ctx, train, modes, keys):
        """(key, modes, site, cause) per key. A key whose variable train creates too is a Saver's
        mapping (ema.variables_to_restore()): its cause is that Saver. Otherwise the variable itself
        is missing from train, and its cause is the line only these modes ran (the `if` around it)."""
        snap, savers = ctx.snapshots[modes[0]], {}
        var_of = {k: restored_variable(snap, snap.restore_keys[k]) for k in keys}
        sites = cause_sites(ctx, modes[0], [v for v in var_of.values() if v not in train.variables], ("train",))
        out = []
        for k in keys:
            var = var_of[k]
            saver = saver_site(ctx, modes[0], k, savers) if var in train.variables else None
            site = saver or sites.get(var) or ctx.first_site(modes, var)
            out.append((k, modes, site, ("saver", str(saver)) if saver else cause_key(site)))
        return out

    def _finding(self, ctx, group):
        key, modes, site, _ = group[0]
        keys = [it[0] for it in group]
        where = "/".join(modes)
        if len(keys) == 1:
            what = f"'{key}' is restored by the {where} graph but the train graph never creates it, " \
                   f"so the training checkpoint will not have it"
        else:
            what = f"{len(keys)} checkpoint keys ({listing(keys)}) are restored by the {where} graph but " \
                   f"the train graph never creates them, so the training checkpoint will not have them"
        what += checkpoint_lacks(ctx, keys)
        return self.finding(
            modes, key, f"{what}: restore fails with `NotFoundError: Key {key} not found in checkpoint`",
            fix=_LOCAL_FIX, location=site, related=branch(site), names=keys)
