"""A suppression comment left behind: the variable it silenced GL101 for is now created in every
mode, so the comment suppresses nothing."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EXPECT = [("GL001", "", "ignore[GL101]")]


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    temperature = tf.compat.v1.get_variable("temperature", [], trainable=False)  # graphlint: ignore[GL101]
    return spec(mode, logits / temperature, labels)
