"""Shared pieces of the cause models: a stack of dense layers made by one helper, so that one cause
(an `if`, an EMA, a param) touches many saved variables at once, on the shared example model's data.

The layers are the user's own code (a module next to the models, unlike graphlint's example model):
the cause tests check that a finding is at the model_fn line that called the helper, not at the
helper's own line."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn

DEPTH = 12  # layers: enough variables that one finding per variable would flood the report


def dense(x, units, name):
    """One layer: the shared helper every variable below is created in."""
    with tf.compat.v1.variable_scope(name):
        w = tf.compat.v1.get_variable("w", [x.shape[-1], units])
        b = tf.compat.v1.get_variable("b", [units], initializer=tf.zeros_initializer())
    return tf.nn.relu(tf.matmul(x, w) + b)


def tower(x, units, depth=DEPTH, prefix="layer"):
    for i in range(depth):
        x = dense(x, units, f"{prefix}_{i}")
    return x


def spec(mode, logits, labels, scaffold=None):
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"p": logits}, scaffold=scaffold)
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, scaffold=scaffold)
