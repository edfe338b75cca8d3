"""GL605 migrated-dtype-mismatch: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._migrate import MigrateRule


class MigratedDtypeMismatch(MigrateRule):
    """A new weight whose dtype differs from its old source's.

    ## What it does
    Compares the dtype of each mapped new weight with its old key's.

    ## Why is this bad
    A silent cast loses precision (float32 into float16 or bfloat16) or fails at load; a migration
    that changes precision is a decision to make on purpose, after parity holds.

    ## Example
    The old model trained in float32; the port builds its layers in float16:
    ```python
    import torch

    def build_model():
        return torch.nn.Linear(8, 3).half()
    ```

    ## Fix
    Migrate in the old dtype, check parity, then cast:
    ```python
    import torch

    def build_model():
        return torch.nn.Linear(8, 3)
    ```
    """

    code = "GL605"
    symbol = "migrated-dtype-mismatch"
    severity = "error"
    summary = "a new weight's dtype differs from its old source's"

    def check_migration(self, check) -> list:
        return [self.make(f.layer.name, f"layer {f.layer.title()}: " + "; ".join(
                    f"NEW {w.key} is {w.dtype}, its source OLD {old.key} is {old.dtype}" for w, old in f.weights),
                    "migrate in the old dtype, check parity, then cast",
                    names=[f.layer.name] + [w.key for w, _ in f.weights])
                for f in check.dtype_mismatches]
