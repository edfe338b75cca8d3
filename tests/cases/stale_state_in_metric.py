"""A running scale that TRAIN builds and its train op never runs, which only an evaluation metric
reads (the loss and the predictions do not): the metric's value is computed from the initial
scale in every evaluation, so GL403 (tests/test_training_wrappers.py: the checkpoint keeps 1.0,
and another value in the checkpoint changes the metric)."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401

EXPECT = [("GL403", "train", "calibration/scale"), ("GL104", "train", "calibration_update/")]


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    scale = tf.compat.v1.get_variable("calibration/scale", [], trainable=False, initializer=tf.ones_initializer())
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op, metrics = None, None
    if mode == tf.estimator.ModeKeys.TRAIN:
        with tf.name_scope("calibration_update"):  # built, never grouped with the step
            scale.assign(0.9 * scale + 0.1 * tf.reduce_mean(tf.abs(logits)))
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step())
    else:
        metrics = {"calibrated": tf.compat.v1.metrics.mean(tf.multiply(logits[:, :1], scale, name="calibrated"))}
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, eval_metric_ops=metrics)
