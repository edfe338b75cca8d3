"""GL602 old-weight-unused: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._migrate import MigrateRule


class OldWeightUnused(MigrateRule):
    """A trained variable of the old checkpoint that no weight of the new model takes.

    ## What it does
    Reports each key of the old checkpoint that is a model variable (not an optimizer slot,
    `global_step`, a metric or an EMA shadow) and that the mapping uses for no new weight, naming
    its layer and where in the old model's order it sat.

    ## Why is this bad
    Training went into that variable and the new model computes without it: most often a layer
    missing from the port, which no loader reports ("Skipping" in a log at best).

    ## Example
    The old model has three dense layers (`dense`, `dense_1`, `dense_2`); the port forgot the middle one:
    ```python
    import torch

    def build_model():
        return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    ```

    ## Fix
    Port the missing layer:
    ```python
    import torch

    def build_model():
        return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16),
                                   torch.nn.ReLU(), torch.nn.Linear(16, 3))
    ```
    """

    code = "GL602"
    symbol = "old-weight-unused"
    severity = "error"
    summary = "a trained variable of the old checkpoint is used by no weight of the new model"
