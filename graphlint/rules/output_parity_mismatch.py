"""GL607 output-parity-mismatch: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._migrate import MigrateRule


class OutputParityMismatch(MigrateRule):
    """The new model with the converted weights computes other outputs than the old model.

    ## What it does
    With `--old-model` (the old model_fn file), `graphlint migrate` builds the old PREDICT graph
    restored from the checkpoint and runs the new model with the converted weights on the same
    batch (`--batch`, else the old input_fn's first batch, else one generated from the serving
    receiver's features), and reports when an output's largest absolute difference exceeds
    `--atol` plus `--rtol` times the old output's largest magnitude. It also compares each mapped
    layer's output with the old graph's tensors of that layer, and names the first layer that
    differs: where the port goes wrong, not only that it does.

    ## Why is this bad
    Coverage sees names, shapes and dtypes; it cannot see what equal shapes hide: LSTM gates in the
    wrong order, a square kernel not transposed, a LayerNorm epsilon or an activation that differs.
    The new model then loads every weight and is quietly worse.

    ## Example
    A mapping file edited to keep TF1's gate order for a PyTorch LSTM (its shapes still fit):
    ```python
    {"new": "lstm.weight_ih_l0", "old": "rnn/lstm_cell/kernel",
     "transform": {"op": "lstm", "part": "input", "old_gates": "icfo", "new_gates": "icfo", ...}}
    ```

    ## Fix
    The gate order PyTorch uses (i, f, g, o), as the mapping graphlint finds has it:
    ```python
    {"new": "lstm.weight_ih_l0", "old": "rnn/lstm_cell/kernel",
     "transform": {"op": "lstm", "part": "input", "old_gates": "icfo", "new_gates": "ifco", ...}}
    ```
    """

    code = "GL607"
    symbol = "output-parity-mismatch"
    severity = "error"
    summary = "the new model with the converted weights computes other outputs than the old model"

    def check_migration(self, check) -> list:
        parity = check.parity
        if parity is None or not parity.differing:
            return []
        bad = parity.differing
        outputs = "; ".join(f"output {o.name} {list(o.shape)}: " + (o.note or f"max |new - old| = {o.max_abs:.4g}, "
                                                                     f"||new - old|| / ||old|| = {o.rel_l2:.4g}")
                            for o in bad)
        where = f"on {parity.batch} (tolerance {parity.atol:g} + {parity.rtol:g} x max |old|)"
        fix = ("look for what equal shapes hide: gate order, a square kernel's transpose, epsilons, activations; "
               "edit the mapping or the new model")
        first = parity.first
        if first is None:  # the layers do not locate it: the outputs are the finding
            return [self.make(bad[0].name, f"{outputs} {where}", fix, names=[o.name for o in bad])]
        before = parity.agreeing_before
        agree = f"the layers before it agree ({', '.join(before)})" if before else "it is the first layer"
        message = (f"the first layer that differs is NEW {first.new} from OLD {first.old}: max |new - old| = "
                   f"{first.max_abs:.4g}, ||new - old|| / ||old|| = {first.rel_l2:.4g} against the closest tensor of "
                   f"its segment ({first.old_tensor}); {agree}; {outputs} {where}")
        return [self.make(first.new, message, f"check layer {first.new}'s mapping and code: {fix}",
                          names=[first.new] + [o.name for o in bad])]
