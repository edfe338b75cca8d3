"""GL3xx: a mode's graph against a real checkpoint: what restore will ask for, and what it finds."""

from __future__ import annotations

from collections import defaultdict

from graphlint.rules import Rule
from graphlint.rules.modes import _branch, _fmt


def _by_key(ctx):
    """{checkpoint key the graph asks for: {mode: RestoreKey}} over the built modes."""
    out = defaultdict(dict)
    for mode in ctx.built_modes():
        for key, rk in ctx.snapshots[mode].restore_keys.items():
            out[ctx.ckpt_key(key)][mode] = rk
    return out


class MissingCheckpointKey(Rule):
    """A variable the graph restores is not in the checkpoint.

    ## What it does
    Computes the checkpoint keys each mode's Saver restores (with TensorFlow's own saveable
    conversion) and looks each one up in the checkpoint you pass with `--checkpoint`. When keys
    are missing and unused checkpoint keys of the same shape and dtype are left over, it pairs
    them and prints a ready-to-paste `assignment_map`.

    ## Why is this bad
    Evaluation, export, serving and resumed training fail at restore with
    `NotFoundError: Key ... not found in checkpoint`.

    ## Example
    ```python
    with tf.compat.v1.variable_scope("encoder_v2"):   # was "encoder" when the checkpoint was written
        w = tf.compat.v1.get_variable("w", [8, 3])
    ```

    ## Fix
    Keep the old name, or map the old key onto the new variable when restoring:
    ```python
    tf.compat.v1.train.init_from_checkpoint(ckpt, {"encoder/w": "encoder_v2/w"})
    ```
    """

    needs_checkpoint = True
    code = "GL301"
    symbol = "missing-checkpoint-key"
    severity = "error"
    summary = "a variable the graph restores is not in the checkpoint"

    def check(self, ctx):
        pairs = {m: u for m, u, _ in ctx.renames}
        for key, per_mode in sorted(_by_key(ctx).items()):
            if key in ctx.checkpoint.entries:
                continue
            modes = tuple(per_mode)
            var = next(iter(per_mode.values())).var_name
            site = ctx.first_site(modes, var)
            hint = f"; the checkpoint has '{pairs[key]}' with the same shape and dtype" if key in pairs else \
                   ("; no checkpoint key has the same shape and dtype" if ctx.checkpoint.entries else "")
            yield self.finding(
                modes, key, f"'{key}' is restored by the {'/'.join(modes)} graph but the checkpoint "
                f"{ctx.checkpoint.prefix} does not have it{hint}",
                fix=(f"rename it back to '{pairs[key]}', or restore with the assignment_map printed below"
                     if key in pairs else "create it with the name it had when the checkpoint was written, or "
                     "train a checkpoint that has it"),
                location=site, related=_branch(site))


class _CheckpointMismatch(Rule):
    attr = ""
    needs_checkpoint = True

    def check(self, ctx):
        for key, per_mode in sorted(_by_key(ctx).items()):
            entry = ctx.checkpoint.entries.get(key)
            if entry is None:
                continue
            bad = {m: getattr(rk, self.attr) for m, rk in per_mode.items()
                   if getattr(rk, self.attr) is not None and getattr(rk, self.attr) != getattr(entry, self.attr)}
            if not bad:
                continue
            var = per_mode[next(iter(bad))].var_name
            site = ctx.first_site(tuple(bad), var)
            graph = ", ".join(f"{m}: {_fmt(v)}" for m, v in bad.items())
            yield self.finding(
                tuple(bad), key, f"'{key}' has {self.attr} {_fmt(getattr(entry, self.attr))} in the checkpoint "
                f"but {graph} in the graph", location=site, related=_branch(site),
                fix=f"build it with the {self.attr} it was trained with (check the params that set it)")


class CheckpointShapeMismatch(_CheckpointMismatch):
    """A restored variable's shape differs from the checkpoint's.

    ## What it does
    Compares each restored key's full shape with the checkpoint's. Partitioned variables are
    compared by their full shape, so a change in the number of partitions is fine.

    ## Why is this bad
    Restore fails with `Assign requires shapes of both tensors to match`.

    ## Example
    ```python
    w = tf.compat.v1.get_variable("w", [8, params["units"]])   # trained with units=3, now 4
    ```

    ## Fix
    ```python
    w = tf.compat.v1.get_variable("w", [8, 3])   # the shape the checkpoint was trained with
    ```
    """

    code = "GL302"
    symbol = "checkpoint-shape-mismatch"
    severity = "error"
    summary = "a restored variable's shape differs from the checkpoint's"
    attr = "shape"


class CheckpointDtypeMismatch(_CheckpointMismatch):
    """A restored variable's dtype differs from the checkpoint's.

    ## What it does
    Compares each restored key's dtype with the checkpoint's.

    ## Why is this bad
    Restore fails: the checkpoint's tensor cannot be assigned to a variable of another dtype.

    ## Example
    ```python
    w = tf.compat.v1.get_variable("w", [8, 3], dtype=tf.float16)   # trained in float32
    ```

    ## Fix
    ```python
    w = tf.compat.v1.get_variable("w", [8, 3], dtype=tf.float32)
    w16 = tf.cast(w, tf.float16)
    ```
    """

    code = "GL303"
    symbol = "checkpoint-dtype-mismatch"
    severity = "error"
    summary = "a restored variable's dtype differs from the checkpoint's"
    attr = "dtype"


class UnusedCheckpointKey(Rule):
    """A checkpoint key that no mode's graph restores.

    ## What it does
    Lists the checkpoint keys that no built mode restores. Optimizer slots, global_step, EMA
    shadows and object-graph metadata are expected and only counted in the table; other keys
    (your model's own variables) are reported one by one.

    ## Why is this bad
    It is often the other half of a rename: the graph asks for `encoder_v2/w`, the checkpoint
    has `encoder/w`, and the trained weights are silently left behind by a warm start.

    ## Example
    ```python
    with tf.compat.v1.variable_scope("encoder_v2"):   # the checkpoint has encoder/w
        w = tf.compat.v1.get_variable("w", [8, 3])
    ```

    ## Fix
    Restore it under its old name (the assignment_map graphlint prints), or ignore the name
    when the variable was removed on purpose.
    ```python
    tf.compat.v1.train.init_from_checkpoint(ckpt, {"encoder/w": "encoder_v2/w"})
    ```
    """

    needs_checkpoint = True
    code = "GL304"
    symbol = "unused-checkpoint-key"
    severity = "info"
    summary = "a checkpoint key (of the model's own variables) that no mode restores"

    def check(self, ctx):
        paired = {u: m for m, u, _ in ctx.renames}
        for key in ctx.unused_keys():
            entry = ctx.checkpoint.entries[key]
            if entry.cls != "other":
                continue
            hint = f"; it pairs with '{paired[key]}', which the graph restores but the checkpoint lacks" \
                if key in paired else ""
            yield self.finding((), key, f"'{key}' {_fmt(entry.shape)} {entry.dtype} is in the checkpoint but no "
                               f"built mode restores it{hint}",
                               fix="restore it under its old name (see the assignment_map), or ignore it if "
                                   "the variable was removed on purpose")
