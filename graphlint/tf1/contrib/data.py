"""tf.contrib.data: the transformations TF 1.15 moved to tf.data.experimental (same functions)."""

PROVIDES = ("map_and_batch", "parallel_interleave")


def symbols() -> dict:
    import tensorflow as tf

    experimental = tf.compat.v1.data.experimental
    return {name: getattr(experimental, name) for name in PROVIDES}
