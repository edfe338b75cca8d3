"""GL606 ema-shadows-not-used: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules._migrate import MigrateRule


class EmaShadowsNotUsed(MigrateRule):
    """The old checkpoint has EMA shadows and the conversion takes the raw variables.

    ## What it does
    Reports when keys `<var>/ExponentialMovingAverage` exist and neither `--use-ema` nor
    `--no-use-ema` says which values the old evaluation used.

    ## Why is this bad
    Models trained with `tf.train.ExponentialMovingAverage` were usually evaluated and exported
    with the shadows (`variables_to_restore()`); the raw variables are noisier, and a port that
    takes them scores worse than the old model did, with no error anywhere.

    ## Example
    The old training applied an EMA; the conversion is run without saying which values to take:
    ```python
    ema = tf.compat.v1.train.ExponentialMovingAverage(0.99)
    train_op = tf.group(optimizer.minimize(loss), ema.apply(tf.compat.v1.trainable_variables()))
    ```

    ## Fix
    Pass `--use-ema` when the old evaluation restored the shadows, `--no-use-ema` when it used the
    raw variables:
    ```python
    saver = tf.compat.v1.train.Saver(ema.variables_to_restore())  # evaluation read the shadows: --use-ema
    ```
    """

    code = "GL606"
    symbol = "ema-shadows-not-used"
    severity = "warning"
    summary = "the old checkpoint has EMA shadows and the conversion takes the raw variables"

    def check_migration(self, check) -> list:
        shadows = list(check.unchosen_shadows)
        if not shadows:
            return []
        return [self.make(shadows[0], f"OLD has {len(shadows)} ExponentialMovingAverage shadows "
                                      f"({', '.join(shadows[:3])}{', ...' if len(shadows) > 3 else ''}) and the "
                                      "conversion takes the raw variables",
                          "pass --use-ema if the old evaluation restored the shadows "
                          "(ExponentialMovingAverage.variables_to_restore()), --no-use-ema if it used the raw variables",
                          names=shadows)]
