"""A real difference: a projection layer built only outside training (its variables are created by
EVAL and PREDICT, never by TRAIN). graphlint must still report it (GL101, and GL104 'other')."""

import tensorflow as tf

from common import HIDDEN, classifier_spec, dense, input_fn  # noqa: F401

params = {}


def model_fn(features, labels, mode, params):
    x = tf.one_hot(features["ids"][:, 0], HIDDEN)
    with tf.compat.v1.variable_scope("net"):
        hidden = tf.nn.relu(dense(x, HIDDEN, "hidden"))
        if mode != tf.estimator.ModeKeys.TRAIN:
            hidden = dense(hidden, HIDDEN, "calibration")
        logits = dense(hidden, 2, "logits")

    def train_op_fn(loss):
        return tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_or_create_global_step())

    return classifier_spec(mode, logits, labels, train_op_fn)
