"""GL608 layer-not-converted: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._migrate import MigrateRule


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
