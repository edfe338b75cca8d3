"""tf.contrib.layers: tf_slim's layers, the maintained copy of contrib.layers (same variable scopes
and names: layer_norm makes <scope>/LayerNorm/beta and gamma as TF 1.15 did)."""

PROVIDES = ("layer_norm",)


def tf_slim():
    """The tf_slim package (tf.contrib.layers, metrics and slim's maintained home)."""
    try:
        import tf_slim as slim
    except ImportError as exc:  # tf-slim is in the `test` extra; users of contrib.layers install it
        from graphlint.errors import UsageError

        raise UsageError(f"tf.contrib's layers and metrics need the tf-slim package ({exc}); pip install tf-slim") from None
    return slim


def symbols() -> dict:
    return {name: getattr(tf_slim().layers, name) for name in PROVIDES}
