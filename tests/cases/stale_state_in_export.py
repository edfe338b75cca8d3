"""stale_state_in_metric.py's running scale, read only by an export output (served by
export_saved_model), not by the predictions Estimator.predict returns nor by EVAL: still GL403."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401

EXPECT = [("GL403", "train", "calibration/scale"), ("GL104", "train", "calibration_update/")]


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    scale = tf.compat.v1.get_variable("calibration/scale", [], trainable=False, initializer=tf.ones_initializer())
    if mode == tf.estimator.ModeKeys.PREDICT:
        served = tf.estimator.export.PredictOutput({"calibrated": tf.multiply(logits, scale, name="calibrated")})
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits},
                                          export_outputs={"serving_default": served})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        with tf.name_scope("calibration_update"):  # built, never grouped with the step
            scale.assign(0.9 * scale + 0.1 * tf.reduce_mean(tf.abs(logits)))
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
