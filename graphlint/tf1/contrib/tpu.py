"""tf.contrib.tpu: TPUEstimator and its configuration, from tensorflow-estimator's tpu module (what
TF 1.15's contrib.tpu re-exported), and CrossShardOptimizer from tf.compat.v1.tpu."""

PROVIDES = ("CrossShardOptimizer", "InputPipelineConfig", "RunConfig", "TPUConfig", "TPUEstimator",
            "TPUEstimatorSpec")
_FROM_ESTIMATOR = ("InputPipelineConfig", "RunConfig", "TPUConfig", "TPUEstimator", "TPUEstimatorSpec")


def symbols() -> dict:
    import tensorflow as tf

    # Looked up on each use: on TF 2.16+ tf.compat.v1.estimator is graphlint's stand-in, installed
    # only while a run builds (model/tfcompat.py), so it must not be cached.
    try:
        tpu = tf.compat.v1.estimator.tpu
    except (AttributeError, ImportError):  # TF 2.16+ outside a run's build: no tf.estimator at all
        tpu = None
    out = {name: getattr(tpu, name) for name in _FROM_ESTIMATOR if hasattr(tpu, name)}
    out["CrossShardOptimizer"] = tf.compat.v1.tpu.CrossShardOptimizer
    return out


def missing(name: str) -> str:
    # graphlint's stand-in for TF 2.16+ has TPUEstimatorSpec and the configs, not the Estimator itself
    return (f"this TensorFlow has no tf.estimator.tpu.{name}: it is tensorflow-estimator's, which ends "
            "with TensorFlow 2.15")
