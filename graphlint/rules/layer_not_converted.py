"""GL608 layer-not-converted: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._migrate import MigrateRule, weight_keys


class LayerNotConverted(MigrateRule):
    """A new layer paired with an old one that it cannot compute with any weights, and why.

    ## What it does
    Reports a new GRU that resets after, paired with a TF1 `GRUCell` (same inputs and units).
    PyTorch's `nn.GRU` and Keras's `GRU(reset_after=True)` (its default) apply the reset gate
    after the recurrent product, `r * (h @ U + b)`; TF1's cell applies it before, `(r * h) @ U`:
    the two agree for every input only when `U` is diagonal, so no weights make the new layer
    compute the old one. The layer is mapped to nothing. Keras's `GRU(reset_after=False)` computes
    TF1's cell and is converted (each of its weights from blocks of the `gates` and `candidate`
    variables), so it is not reported.

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
    In Keras, the GRU that computes TF1's cell, which graphlint converts (check parity with
    `--old-model`); in PyTorch, a cell written as TF1's:
    ```python
    import keras

    gru = keras.layers.GRU(6, reset_after=False)
    ```
    """

    code = "GL608"
    symbol = "layer-not-converted"
    severity = "error"
    summary = "a new layer that cannot compute the old one with any weights (a GRU that resets after, unlike TF1's)"

    def check_migration(self, check) -> list:
        return [self.make(f.layer.name, *_why(f.old_layer, f.layer, f.framework),
                          names=[f.layer.name, f.old_layer.name] + weight_keys(f.layer) + weight_keys(f.old_layer))
                for f in check.not_converted]


def _why(old, new, framework: str) -> tuple:
    """(message, fix) for a GRU that resets after (migrate/gru.py has the arithmetic)."""
    names = ", ".join(weight_keys(old))
    cls = "nn.GRU" if framework == "torch" else "GRU(reset_after=True)"
    message = (f"NEW layer {new.title()} ({cls}) cannot compute what OLD's TF1 GRUCell {old.name} computed, with "
               f"any weights: it applies the reset gate after the recurrent product (r * (h @ U_n + b_hn)), "
               f"TF1's cell before it ((r * h) @ U_c); the two agree only for a diagonal U. Not converted ({names})")
    fix = ("in Keras, use GRU(reset_after=False), which computes TF1's GRUCell and which graphlint converts; in "
           "PyTorch, write the cell ((r * h) @ U) yourself: nn.GRU and nn.GRUCell both reset after")
    return message, fix
