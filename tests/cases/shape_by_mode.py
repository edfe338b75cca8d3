"""The head is sized by the mode itself, not by params: restoring TRAIN's checkpoint in EVAL and
PREDICT fails on its shape."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EXPECT = [("GL102", "train,eval,predict", "w")]


def model_fn(features, labels, mode, params):
    units = params["units"] if mode == tf.estimator.ModeKeys.TRAIN else params["units"] + 1
    return spec(mode, linear(features, units), labels)
