"""EVAL creates an extra unnamed variable first, so the shared weights' auto-numbered names shift."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, params, spec  # noqa: F401

EXPECT = [
    ("GL104", "eval", "truediv/"),
    ("GL104", "train,predict", "truediv/"),
    ("GL105", "train,eval,predict", "Variable"),
    ("GL105", "train,eval,predict", "Variable_1"),
]


def model_fn(features, labels, mode, params):
    temperature = 1.0
    if mode == tf.estimator.ModeKeys.EVAL:
        temperature = tf.compat.v1.Variable(2.0, trainable=False)
    w = tf.compat.v1.Variable(tf.compat.v1.glorot_uniform_initializer()([4, params["units"]]))
    b = tf.compat.v1.Variable(tf.zeros([params["units"]]))
    logits = (tf.matmul(features["x"], w) + b) / temperature
    return spec(mode, logits, labels)
