"""The fix of moving_average_not_run.py: the train op groups the moving-average update."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401
from moving_average_not_run import normalize

EXPECT = []


def model_fn(features, labels, mode, params):
    training = mode == tf.estimator.ModeKeys.TRAIN
    x, update = normalize(features["x"], training)
    logits = linear({"x": x}, params["units"])
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if training:
        train_op = tf.group(tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step()), update)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
