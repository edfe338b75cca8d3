"""A trainable calibration scale that the loss never sees: training never updates it."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401

EXPECT = [("GL402", "train", "calibration/scale")]


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    scale = tf.compat.v1.get_variable("calibration/scale", [], initializer=tf.compat.v1.ones_initializer())
    probabilities = tf.sigmoid(logits * scale, name="probabilities")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"p": probabilities})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
