"""GL302 checkpoint-shape-mismatch: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._mismatch import SHAPE_CONSEQUENCE, CheckpointMismatch


class CheckpointShapeMismatch(CheckpointMismatch):
    """A restored variable's shape differs from the checkpoint's.

    ## What it does
    Compares each restored key's full shape with the checkpoint's. Partitioned variables are
    compared by their full shape, so a change in the number of partitions is fine.

    ## Why is this bad
    For a resource variable (TF2's default) restore does not fail: the variable silently takes the
    checkpoint's shape, and the first op that checks shapes fails at run time, or, where none does,
    results are silently wrong. Ref variables, and partitioned variables whose full shape changed,
    fail at restore with `Assign requires shapes of both tensors to match`.

    ## Example
    Checked against a checkpoint trained by the Fix below, with `units` 3:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, spec

    params = {"units": 4}


    def model_fn(features, labels, mode, params):
        return spec(mode, linear(features, params["units"]), labels)   # w is [4, 4], trained [4, 3]
    ```

    ## Fix
    Build it with the params it was trained with:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, spec

    params = {"units": 3}


    def model_fn(features, labels, mode, params):
        return spec(mode, linear(features, params["units"]), labels)
    ```
    """

    code = "GL302"
    symbol = "checkpoint-shape-mismatch"
    severity = "error"
    summary = "a restored variable's shape differs from the checkpoint's"
    attr = "shape"
    consequence = SHAPE_CONSEQUENCE
