"""GL601 new-weight-without-source: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._migrate import MigrateRule


class NewWeightWithoutSource(MigrateRule):
    """A weight of the new model that no key of the old checkpoint maps to.

    ## What it does
    `graphlint migrate` aligns the new model's layers with the old checkpoint's (by kind and shape,
    in order) and reports each new layer with no old counterpart, and each new weight whose old
    layer lacks the part it needs, such as batch-norm moving statistics the old model never kept.

    ## Why is this bad
    The weight keeps its random or default initial value: the converted model loads without an
    error and computes something else. Batch-norm statistics left at mean 0 and variance 1
    normalize nothing, which shows only as worse results.

    ## Example
    The old model normalized with the batch's own statistics (`tf.nn.moments`), so its checkpoint
    has `bn/gamma` and `bn/beta` and no moving statistics; the new model's `nn.BatchNorm2d` has
    `running_mean` and `running_var`:
    ```python
    import torch

    def build_model():
        return torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.BatchNorm2d(8))
    ```

    ## Fix
    Give the statistics a source: compute them over training data with the converted weights
    (the new model in training mode over a few batches), or normalize with batch statistics as the
    old model did; a layer the old model did not have is removed.
    ```python
    import torch

    def build_model():
        return torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.BatchNorm2d(8, track_running_stats=False))
    ```
    """

    code = "GL601"
    symbol = "new-weight-without-source"
    severity = "error"
    summary = "a weight of the new model gets no value from the old checkpoint"
