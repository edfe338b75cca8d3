"""GL603 migrated-shape-mismatch: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._migrate import MigrateRule


class MigratedShapeMismatch(MigrateRule):
    """A new weight whose shape differs from its old source's after the layout transform.

    ## What it does
    For each pair of layers the alignment finds, applies the transform between the layouts (a
    Dense kernel as is, a PyTorch Linear weight transposed, conv kernels HWIO to OIHW, LSTM
    kernels split and their gates reordered) to the old key's shape and compares it with the new
    weight's. It says when the shape would fit under another transform (a transposed kernel), and
    when the old key was saved from partitioned variables and the new weight holds one partition.

    ## Why is this bad
    The value cannot be loaded, or, where the framework reshapes silently, is loaded scrambled.
    A shape that fits only transposed means the new layer stores its weight the other way round
    from what its declared type does: the converted values would be wrong even where they load.

    ## Example
    The old embedding `emb/table` [1000, 16] was partitioned in two (`part_0`, `part_1`, each
    [500, 16]); the port sized its table from one part:
    ```python
    import torch

    def build_model():
        return torch.nn.Embedding(500, 16)
    ```

    ## Fix
    Hold the whole variable: TensorFlow's checkpoint reader returns the partitions concatenated.
    ```python
    import torch

    def build_model():
        return torch.nn.Embedding(1000, 16)
    ```
    """

    code = "GL603"
    symbol = "migrated-shape-mismatch"
    severity = "error"
    summary = "a new weight's shape differs from its old source's after the layout transform"
