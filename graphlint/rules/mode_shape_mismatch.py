"""GL102 mode-shape-mismatch: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._mismatch import SHAPE_CONSEQUENCE, KeyMismatch


class ModeShapeMismatch(KeyMismatch):
    """Saved variable with a different shape in different modes.

    ## What it does
    Compares the shape of every checkpoint key across the modes that restore it.

    ## Why is this bad
    The checkpoint holds the TRAIN shape. Restoring it into an EVAL or PREDICT graph whose variable
    has another shape does not fail for a resource variable (TF2's default): the variable silently
    takes the checkpoint's shape, and the first op that checks shapes fails at run time, or, where
    none does, predictions are silently wrong. Ref and partitioned variables fail at restore with
    `Assign requires shapes of both tensors to match`. This usually comes from hyper-parameters
    that differ between train and eval params.

    ## Example
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, spec

    params = {"units": 3, "eval_units": 4}


    def model_fn(features, labels, mode, params):
        units = params["units"] if mode == tf.estimator.ModeKeys.TRAIN else params["eval_units"]
        return spec(mode, linear(features, units), labels)   # w is [4, 3] in TRAIN, [4, 4] elsewhere
    ```

    ## Fix
    Size variables from params that are the same in every mode:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, spec

    params = {"units": 3}


    def model_fn(features, labels, mode, params):
        return spec(mode, linear(features, params["units"]), labels)
    ```
    """

    code = "GL102"
    symbol = "mode-shape-mismatch"
    severity = "error"
    summary = "a saved variable has a different shape in different modes"
    attr = "shape"
    supersedes = ("GL302",)  # in the modes beside TRAIN: the checkpoint TRAIN wrote differs there for this cause
    consequence = SHAPE_CONSEQUENCE
