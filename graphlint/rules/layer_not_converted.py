"""GL608 layer-not-converted: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._migrate import MigrateRule, weight_keys
from graphlint.rules._shapes import show_shape


class LayerNotConverted(MigrateRule):
    """A new layer paired with an old one whose weights graphlint does not convert, and says why.

    ## What it does
    Reports a new GRU paired with a TF1 `GRUCell` (same inputs and units). PyTorch's `nn.GRU`
    and Keras's `GRU(reset_after=True)` (its default) apply the reset gate after the recurrent
    product, `r * (h @ U + b)`; TF1's cell applies it before, `(r * h) @ U`: the two agree for
    every input only when `U` is diagonal, so no weights make the new layer compute the old one.
    Keras's `GRU(reset_after=False)` computes the same function, but each of its weights takes
    columns of both old kernels (`gates` and `candidate`), which the mapping does not express yet.
    The layer is mapped to nothing; the finding says which case it is.

    ## Why is this bad
    Shapes fit (`[3 units, inputs]` from `[inputs + units, 2 units]` and `[inputs + units, units]`),
    so a converter that copies blocks loads every weight and the model is quietly wrong.

    ## Example
    The old model ran `tf.compat.v1.nn.rnn_cell.GRUCell(6)`; the port:
    ```python
    import torch

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = torch.nn.GRU(4, 6, batch_first=True)
    ```

    ## Fix
    In Keras, the GRU that computes TF1's cell (then convert it by hand as the finding says, and
    check parity with `--old-model`); in PyTorch, a cell written as TF1's:
    ```python
    import keras

    gru = keras.layers.GRU(6, reset_after=False)
    ```
    """

    code = "GL608"
    symbol = "layer-not-converted"
    severity = "error"
    summary = "a new layer whose old weights graphlint does not convert (a GRU that resets after, unlike TF1's)"

    def check_migration(self, check) -> list:
        return [self.make(f.layer.name, *_why(f.old_layer, f.layer, f.framework),
                          names=[f.layer.name, f.old_layer.name] + weight_keys(f.layer) + weight_keys(f.old_layer))
                for f in check.not_converted]


def _why(old, new, framework: str) -> tuple:
    """(message, fix) for a GRU pair (migrate/gru.py has the arithmetic)."""
    names = ", ".join(weight_keys(old))
    if new.info.get("reset_after", True):
        cls = "nn.GRU" if framework == "torch" else "GRU(reset_after=True)"
        message = (f"NEW layer {new.title()} ({cls}) cannot compute what OLD's TF1 GRUCell {old.name} computed, with "
                   f"any weights: it applies the reset gate after the recurrent product (r * (h @ U_n + b_hn)), "
                   f"TF1's cell before it ((r * h) @ U_c); the two agree only for a diagonal U. Not converted ({names})")
        fix = ("in Keras, use GRU(reset_after=False), which computes TF1's GRUCell; in PyTorch, write the cell "
               "((r * h) @ U) yourself: nn.GRU and nn.GRUCell both reset after")
    else:
        message = (f"NEW layer {new.title()} (GRU(reset_after=False)) computes what OLD's TF1 GRUCell {old.name} "
                   f"computed, but each of its weights takes columns of both old kernels "
                   f"(gates {show_shape(old.weights['gates_kernel'].shape)}: r, u; candidate "
                   f"{show_shape(old.weights['candidate_kernel'].shape)}), which graphlint does not convert yet. "
                   f"Not converted ({names})")
        fix = ("convert it by hand: kernel = concat([G[:in, units:], G[:in, :units], C[:in]], 1) (Keras's z, r, h "
               "are TF1's u, r, candidate), recurrent_kernel = the same of rows in:, bias = concat([g[units:], "
               "g[:units], c]); then check parity with --old-model")
    return message, fix
