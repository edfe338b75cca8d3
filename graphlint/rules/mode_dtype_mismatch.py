"""GL103 mode-dtype-mismatch: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._mismatch import DTYPE_CONSEQUENCE, KeyMismatch


class ModeDtypeMismatch(KeyMismatch):
    """Saved variable with a different dtype in different modes.

    ## What it does
    Compares the dtype of every checkpoint key across the modes that restore it.

    ## Why is this bad
    Restore reads the dtype the checkpoint was written with; a variable of another dtype in the
    restoring graph fails at restore time.

    ## Example
    Serving in half precision:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, params, spec


    def model_fn(features, labels, mode, params):
        dtype = tf.float16 if mode == tf.estimator.ModeKeys.PREDICT else tf.float32
        w = tf.compat.v1.get_variable("w", [4, params["units"]], dtype=dtype)
        logits = tf.matmul(tf.cast(features["x"], dtype), w)
        return spec(mode, logits, labels)
    ```

    ## Fix
    Keep variables in one dtype and cast the value where a different precision is wanted:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, params, spec


    def model_fn(features, labels, mode, params):
        dtype = tf.float16 if mode == tf.estimator.ModeKeys.PREDICT else tf.float32
        w = tf.compat.v1.get_variable("w", [4, params["units"]], dtype=tf.float32)
        logits = tf.matmul(tf.cast(features["x"], dtype), tf.cast(w, dtype))
        return spec(mode, logits, labels)
    ```
    """

    code = "GL103"
    symbol = "mode-dtype-mismatch"
    severity = "error"
    summary = "a saved variable has a different dtype in different modes"
    attr = "dtype"
    supersedes = ("GL303",)  # in the modes beside TRAIN: the checkpoint TRAIN wrote differs there for this cause
    consequence = DTYPE_CONSEQUENCE
