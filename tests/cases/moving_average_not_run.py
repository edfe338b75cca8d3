"""Batch norm written by hand (variables + a moving-average assign_sub, no tf.compat.v1.layers, so
it runs on every TensorFlow): the update is built in TRAIN but the train op never runs it."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401

EXPECT = [("GL403", "train", "norm/moving_mean")]
DECAY = 0.9


def normalize(x, training, run_update=None):
    """x minus its moving mean; in training the batch mean, and the moving mean's update."""
    with tf.compat.v1.variable_scope("norm"):
        moving_mean = tf.compat.v1.get_variable("moving_mean", [4], trainable=False,
                                                initializer=tf.compat.v1.zeros_initializer())
        if not training:
            return x - moving_mean, None
        batch_mean = tf.reduce_mean(x, axis=0)
        update = moving_mean.assign_sub((moving_mean - batch_mean) * (1 - DECAY))
        return x - batch_mean, update


def model_fn(features, labels, mode, params):
    training = mode == tf.estimator.ModeKeys.TRAIN
    x, update = normalize(features["x"], training)
    logits = linear({"x": x}, params["units"])
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if training:  # the update is built, never grouped with the step
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
