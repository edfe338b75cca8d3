"""A 1:1 warm-start entry whose key the checkpoint has ('enc/w' [4, 3]) onto a widened variable
([4, 5]): TF rejects the map at graph build, for the shape, not the name."""

import os

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, spec  # noqa: F401

EXPECT = [("GL309", "train,eval,predict", "encoder/w")]
WARM_START = os.path.join(os.path.dirname(os.path.abspath(__file__)), "warm_start_ckpt", "model.ckpt-1")
params = {"units": 5, "key": "enc/w"}


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope("encoder"):
        logits = linear(features, params["units"])
    tf.compat.v1.train.init_from_checkpoint(WARM_START, {params["key"]: "encoder/w"})
    return spec(mode, logits, labels)
