"""tf.contrib.metrics: the streaming metrics tf_slim kept (tf_slim.metrics is contrib.metrics'
maintained copy; ALBERT's STS-B evaluation uses these two)."""

PROVIDES = ("streaming_concat", "streaming_pearson_correlation")


def symbols() -> dict:
    from graphlint.tf1.contrib.layers import tf_slim

    metrics = tf_slim().metrics
    return {name: getattr(metrics, name) for name in PROVIDES}
