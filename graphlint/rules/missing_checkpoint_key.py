"""GL301 missing-checkpoint-key: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.analysis.match import similarity
from graphlint.rules import Rule
from graphlint.rules._mismatch import by_key
from graphlint.rules._notes import branch


CANDIDATES = 3  # the checkpoint keys of the same shape and dtype a message names, best first


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
    Checked against a checkpoint trained by the Fix below, which names the scope `encoder`:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder_v2"):   # "encoder" when the checkpoint was written
            logits = linear(features, params["units"])
        return spec(mode, logits, labels)
    ```

    ## Fix
    Keep the name the checkpoint was written with. (To warm-start a renamed model from an old
    checkpoint instead, map the old keys onto the new variables:
    `tf.compat.v1.train.init_from_checkpoint(ckpt, {"encoder/": "encoder_v2/"})`, or the
    `assignment_map` graphlint prints.)
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder"):
            logits = linear(features, params["units"])
        return spec(mode, logits, labels)
    ```
    """

    needs_checkpoint = True
    code = "GL301"
    symbol = "missing-checkpoint-key"
    severity = "error"
    summary = "a variable the graph restores is not in the checkpoint"

    def check(self, ctx):
        pairs = {p.a: p.b for p in ctx.renames}
        slots = {p.a for p in ctx.renames if p.evidence == "slot"}
        unsure = {u.a: u for u in ctx.unsure_renames}
        for key, per_mode in sorted(by_key(ctx).items()):
            modes = self.unclaimed(ctx, key, tuple(per_mode))  # the modes no cause rule (GL101) explains
            if key in ctx.checkpoint.entries or not modes:
                continue
            var = next(iter(per_mode.values())).var_name
            site = ctx.first_site(modes, var)
            rk = next(iter(per_mode.values()))
            if key in pairs:
                hint = f"; the checkpoint has '{pairs[key]}' with the same shape and dtype"
            elif key in unsure:
                hint = (f"; the checkpoint has {_quoted(unsure[key].candidates)} with the same shape and dtype, "
                        f"but graphlint cannot tell it is this variable ({unsure[key].reason}), so no map line is "
                        "printed for it")
            else:
                hint = _unpaired_hint(ctx, key, rk, pairs)
            yield self.finding(
                modes, key, f"'{key}' is restored by the {'/'.join(modes)} graph but the checkpoint "
                f"{ctx.checkpoint.prefix} does not have it{hint}",
                fix=(_rename_fix(pairs[key], key, key in slots)
                     if key in pairs else "create it with the name it had when the checkpoint was written, or "
                     "train a checkpoint that has it"),
                location=site, related=branch(site))


def _rename_fix(old: str, new: str, slot: bool) -> str:
    if slot:  # init_from_checkpoint takes no optimizer slots (ValueError): only a Saver restores them
        return (f"rename its variable back, or restore through a Saver whose var_list reads '{old}' into it "
                "(the report's Saver form)")
    return (f"rename it back to '{old}', or warm-start it under its new name: "
            f"tf.compat.v1.train.init_from_checkpoint(CKPT, {{'{old}': '{new}'}})")


def _quoted(keys) -> str:
    return " or ".join(f"'{k}'" for k in keys)


def _unpaired_hint(ctx, key, rk, pairs) -> str:
    """Why no rename was offered: no key of the same shape and dtype, or the best of those there are
    and what keeps each from pairing (the graph restores it, another key took it, its class or name)."""
    if not ctx.checkpoint.entries or rk.shape is None:
        return ""
    alike = [k for k, e in ctx.checkpoint.entries.items() if tuple(e.shape) == tuple(rk.shape) and e.dtype == rk.dtype]
    if not alike:
        return "; no checkpoint key has the same shape and dtype"
    restored, taken = ctx.restored_keys(), {u: m for m, u in pairs.items()}
    best = sorted(alike, key=lambda k: (-similarity(key, k), k))[:CANDIDATES]

    def why(k):
        if k in restored:
            return "the graph restores it under its own name"
        if k in taken:
            return f"paired with '{taken[k]}'"
        if ctx.checkpoint.entries[k].cls != "other":
            return f"class {ctx.checkpoint.entries[k].cls}: only the model's own variables pair by name"
        return "its name is too unlike to pair"
    shown = "; ".join(f"'{k}' ({why(k)})" for k in best)
    return f"; {len(alike)} checkpoint key{'s' if len(alike) > 1 else ''} of the same shape and dtype, none paired with it: {shown}"
