"""A warm start from a checkpoint that has no 'encoder/' scope: TF rejects the map at graph build."""

import os

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EXPECT = [("GL305", "train,eval,predict", "encoder/w")]
WARM_START = os.path.join(os.path.dirname(os.path.abspath(__file__)), "warm_start_ckpt", "model.ckpt-1")


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope("encoder"):
        logits = linear(features, params["units"])
    tf.compat.v1.train.init_from_checkpoint(WARM_START, {"encoder/": "encoder/"})
    return spec(mode, logits, labels)
