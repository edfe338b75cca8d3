"""tf.compat.v1.layers.batch_normalization with a bare minimize(): its moving-average updates sit in
UPDATE_OPS, the train op does not depend on them, and the checkpoint keeps moving_mean 0 and
moving_variance 1 (tests/test_silent_rules.py trains it for real)."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401

REQUIRES = "keras"
EXPECT = [("GL403", "train", "batch_normalization/moving_mean")]  # one cause: it names moving_variance too


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
        train_op = optimizer.minimize(loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
