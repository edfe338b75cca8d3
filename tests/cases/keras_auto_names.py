"""Auto-named layers shift: EVAL builds an extra unnamed dense layer first, so the shared layers
become dense_1/dense_2 there while the checkpoint (from TRAIN) has dense/dense_1."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, params  # noqa: F401

REQUIRES = "keras"
EXPECT = [
    # GL105 explains the shifted keys (dense_2/* missing from TRAIN: GL101; dense/*, dense_1/* of
    # another shape per mode: GL102), and its fix is the one that is right: one finding per cause.
    ("GL104", "eval", "dense_2/"),
    ("GL105", "train,eval,predict", "dense/"),
    ("GL105", "train,eval,predict", "dense_1/"),
]


def model_fn(features, labels, mode, params):
    x = features["x"]
    if mode == tf.estimator.ModeKeys.EVAL:
        tf.compat.v1.layers.dense(x, 2)  # a debugging head, built first and unnamed
    hidden = tf.compat.v1.layers.dense(x, 8)
    logits = tf.compat.v1.layers.dense(hidden, 1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.reduce_mean(tf.square(logits - labels))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
