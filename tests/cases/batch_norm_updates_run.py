"""The fix of batch_norm_updates_not_run.py: minimize() under
tf.control_dependencies(UPDATE_OPS), so every step moves the statistics."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401

REQUIRES = "keras"
EXPECT = []


def model_fn(features, labels, mode, params):
    training = mode == tf.estimator.ModeKeys.TRAIN
    x = tf.compat.v1.layers.batch_normalization(features["x"], training=training)
    logits = linear({"x": x}, params["units"])
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if training:
        optimizer = tf.compat.v1.train.GradientDescentOptimizer(0.1)
        with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
            train_op = optimizer.minimize(loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
