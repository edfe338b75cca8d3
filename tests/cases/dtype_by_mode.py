"""PREDICT builds the weights in float16: a checkpoint written in float32 does not restore."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EXPECT = [("GL103", "train,eval,predict", "w"), ("GL104", "predict", "Cast/")]


def model_fn(features, labels, mode, params):
    dtype = tf.float16 if mode == tf.estimator.ModeKeys.PREDICT else tf.float32
    return spec(mode, linear(features, params["units"], dtype=dtype), labels)
