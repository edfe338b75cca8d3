"""A scope map ('enc/' -> 'encoder/') whose source has every TRAIN variable under the scope but
not the one EVAL alone creates there ('encoder/eval_scale'): TF rejects the map while EVAL is
built, for that variable's key 'enc/eval_scale'. Training runs; the first evaluation fails."""

import os

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EXPECT = [("GL305", "eval", "encoder/eval_scale")]
WARM_START = os.path.join(os.path.dirname(os.path.abspath(__file__)), "warm_start_ckpt", "model.ckpt-1")


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope("encoder"):
        logits = linear(features, params["units"])
        if mode == tf.estimator.ModeKeys.EVAL:
            logits *= tf.compat.v1.get_variable("eval_scale", [], initializer=tf.compat.v1.ones_initializer())
    tf.compat.v1.train.init_from_checkpoint(WARM_START, {"enc/": "encoder/"})
    return spec(mode, logits, labels)
