"""GL603 migrated-shape-mismatch: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._migrate import MigrateRule
from graphlint.rules._shapes import show_shape


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

    def check_migration(self, check) -> list:
        return [self._layer(f) for f in check.shape_mismatches]

    def _layer(self, f):
        parts = []
        for m in f.weights:
            hint = _hint(m)
            parts.append(f"NEW {m.weight.key} {show_shape(m.weight.shape)} cannot take OLD {m.old.key} "
                         f"{show_shape(m.old.shape)}: {m.transform} makes it {show_shape(m.shape)}"
                         + (f" ({hint})" if hint else ""))
        return self.make(f.layer.name, f"layer {f.layer.title()}: " + "; ".join(parts),
                         "fix the new layer's shape, or the transform in the mapping file (--write-mapping, edit, "
                         "--mapping)", names=[f.layer.name] + [m.weight.key for m in f.weights])


def _hint(m) -> str:
    """What would fit, said as the way the port went wrong."""
    if m.partitions:
        return (f"OLD {m.old.key} was saved from {len(m.partitions)} partitioned variables "
                f"({', '.join(show_shape(p) for p in m.partitions)}) and NEW holds one partition: the new weight must "
                f"hold the whole {show_shape(m.old.shape)} (the checkpoint reader returns the partitions concatenated)")
    if m.fits_transposed:
        return ("it fits OLD transposed: the new layer stores this weight [out, in], not as its kind does; if it "
                "computes x @ W.T, its transform is a transpose")
    if m.fits_as_is:
        return ("it fits OLD untransposed: the new layer stores this weight [in, out] (it computes x @ W?), not "
                "[out, in] as a torch Linear does; if so, its transform is identity")
    return ""
