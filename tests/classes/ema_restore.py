"""The clean way to evaluate with moving averages: TRAIN applies an ExponentialMovingAverage to the
trainable variables after each step; EVAL and PREDICT restore every variable from its shadow with
a Saver over ema.variables_to_restore(). Nothing here breaks."""

import tensorflow as tf

from common import HIDDEN, classifier_spec, dense, input_fn  # noqa: F401

params = {"decay": 0.99}


def model_fn(features, labels, mode, params):
    x = tf.one_hot(features["ids"][:, 0], HIDDEN)
    with tf.compat.v1.variable_scope("net"):
        logits = dense(tf.nn.relu(dense(x, HIDDEN, "hidden")), 2, "logits")
    ema = tf.compat.v1.train.ExponentialMovingAverage(params["decay"])
    scaffold = None
    if mode != tf.estimator.ModeKeys.TRAIN:
        scaffold = tf.compat.v1.train.Scaffold(saver=tf.compat.v1.train.Saver(ema.variables_to_restore()))

    def train_op_fn(loss):
        step = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(
            loss, global_step=tf.compat.v1.train.get_or_create_global_step())
        with tf.control_dependencies([step]):
            return ema.apply(tf.compat.v1.trainable_variables())

    return classifier_spec(mode, logits, labels, train_op_fn, scaffold)
