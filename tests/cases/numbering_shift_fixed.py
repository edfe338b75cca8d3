"""GL105's fix: explicit names, and the temperature is a local variable built in every mode."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, params, spec  # noqa: F401

EXPECT = []


def model_fn(features, labels, mode, params):
    temperature = tf.compat.v1.Variable(2.0 if mode == tf.estimator.ModeKeys.EVAL else 1.0, trainable=False,
                                        name="temperature", collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES])
    w = tf.compat.v1.Variable(tf.compat.v1.glorot_uniform_initializer()([4, params["units"]]), name="w")
    b = tf.compat.v1.Variable(tf.zeros([params["units"]]), name="b")
    logits = (tf.matmul(features["x"], w) + b) / temperature
    return spec(mode, logits, labels)
