"""tf.contrib.layers: tf_slim's layers, the maintained copy of contrib.layers (same variable scopes
and names: layer_norm makes <scope>/LayerNorm/beta and gamma as TF 1.15 did)."""

PROVIDES = ("layer_norm",)


def symbols() -> dict:
    try:
        import tf_slim
    except ImportError as exc:  # tf_slim is in the `test` extra; users of contrib.layers install it
        from graphlint.errors import UsageError

        raise UsageError(f"tf.contrib.layers needs the tf-slim package ({exc}); pip install tf-slim") from None
    return {name: getattr(tf_slim.layers, name) for name in PROVIDES}
