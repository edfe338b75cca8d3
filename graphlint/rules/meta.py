"""GL0xx: findings about graphlint's own configuration and comments, not about the graphs."""

from __future__ import annotations

from graphlint.rules import Rule


class UnusedSuppression(Rule):
    """Suppression comment that suppresses no finding.

    ## What it does
    Reports `# graphlint: ignore` and `# graphlint: ignore[CODE,...]` comments, in the model's
    files, that suppressed nothing in this run, naming the codes that went unused.

    ## Why is this bad
    A suppression outlives the bug it silenced: once the code is fixed or moved, the comment
    stays, and later silences a new, real problem on that line without anyone noticing.

    ## Example
    The variable is now created in every mode, so GL101 no longer fires on that line:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        temperature = tf.compat.v1.get_variable("temperature", [], trainable=False)  # graphlint: ignore[GL101]
        return spec(mode, logits / temperature, labels)
    ```

    ## Fix
    Remove the comment, or the codes in it that no longer fire:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        temperature = tf.compat.v1.get_variable("temperature", [], trainable=False)
        return spec(mode, logits / temperature, labels)
    ```
    """

    code = "GL001"
    symbol = "unused-suppression"
    severity = "info"
    summary = "a `# graphlint: ignore` comment suppresses no finding"

    def check(self, ctx):
        # graphlint.run.selection reports these: only it sees the comments and what they matched.
        return iter(())
