"""The scaffold's Saver leaves a global variable out: once a checkpoint exists, session creation
finds it uninitialized."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EXPECT = [("GL308", "train,eval,predict", "scale")]


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    scale = tf.compat.v1.get_variable("scale", [], initializer=tf.compat.v1.ones_initializer())
    saver = tf.compat.v1.train.Saver([v for v in tf.compat.v1.global_variables() if v is not scale])
    return spec(mode, logits * scale, labels, scaffold=tf.compat.v1.train.Scaffold(saver=saver))
