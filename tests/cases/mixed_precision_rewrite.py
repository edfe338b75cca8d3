"""tf.compat.v1.train.experimental.enable_mixed_precision_graph_rewrite: the optimizer comes back
wrapped in a dynamic loss-scale optimizer, which applies the gradients only when they are finite
(under a cond) and adjusts the scale. The variables are updated (tests/test_training_wrappers.py):
no GL402."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401

EXPECT = [("GL104", "train", "Rank/")]  # the loss scaling's own ops: information only


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        optimizer = tf.compat.v1.train.experimental.enable_mixed_precision_graph_rewrite(
            tf.compat.v1.train.GradientDescentOptimizer(0.1))
        train_op = optimizer.minimize(loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
