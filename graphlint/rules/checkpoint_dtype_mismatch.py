"""GL303 checkpoint-dtype-mismatch: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._mismatch import DTYPE_CONSEQUENCE, CheckpointMismatch


class CheckpointDtypeMismatch(CheckpointMismatch):
    """A restored variable's dtype differs from the checkpoint's.

    ## What it does
    Compares each restored key's dtype with the checkpoint's.

    ## Why is this bad
    Restore fails: the checkpoint's tensor cannot be assigned to a variable of another dtype.

    ## Example
    Checked against a checkpoint trained by the Fix below, in float32:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, params, spec


    def model_fn(features, labels, mode, params):
        w = tf.compat.v1.get_variable("w", [4, params["units"]], dtype=tf.float16)   # trained in float32
        logits = tf.matmul(tf.cast(features["x"], tf.float16), w)
        return spec(mode, logits, labels)
    ```

    ## Fix
    Keep the variable in the dtype it was trained in and cast its value:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, params, spec


    def model_fn(features, labels, mode, params):
        w = tf.compat.v1.get_variable("w", [4, params["units"]], dtype=tf.float32)
        logits = tf.matmul(tf.cast(features["x"], tf.float16), tf.cast(w, tf.float16))
        return spec(mode, logits, labels)
    ```
    """

    code = "GL303"
    symbol = "checkpoint-dtype-mismatch"
    severity = "error"
    summary = "a restored variable's dtype differs from the checkpoint's"
    attr = "dtype"
    consequence = DTYPE_CONSEQUENCE
