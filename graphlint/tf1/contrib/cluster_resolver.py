"""tf.contrib.cluster_resolver: the resolvers TF 1.15 moved to tf.distribute.cluster_resolver."""

PROVIDES = ("TPUClusterResolver",)


def symbols() -> dict:
    import tensorflow as tf

    return {"TPUClusterResolver": tf.compat.v1.distribute.cluster_resolver.TPUClusterResolver}
