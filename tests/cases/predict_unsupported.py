"""model_fn always computes a loss, so PREDICT (labels=None) cannot be built: skipped with a note."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401

EXPECT = [("GL902", "predict", "model_fn")]


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
        loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
