"""tf.contrib.tpu: TPUEstimator and its configuration, from tensorflow-estimator's tpu module (what
TF 1.15's contrib.tpu re-exported), and CrossShardOptimizer from tf.compat.v1.tpu."""

PROVIDES = ("CrossShardOptimizer", "InputPipelineConfig", "RunConfig", "TPUConfig", "TPUEstimator",
            "TPUEstimatorSpec")
_FROM_ESTIMATOR = ("InputPipelineConfig", "RunConfig", "TPUConfig", "TPUEstimator", "TPUEstimatorSpec")


def symbols() -> dict:
    import tensorflow as tf

    # Looked up on each use: on TF 2.16+ tf.compat.v1.estimator is graphlint's stand-in, installed
    # only while a run builds (model/tfcompat.py), so it must not be cached.
    tpu = tf.compat.v1.estimator.tpu
    out = {name: getattr(tpu, name) for name in _FROM_ESTIMATOR if hasattr(tpu, name)}
    out["CrossShardOptimizer"] = tf.compat.v1.tpu.CrossShardOptimizer
    return out
