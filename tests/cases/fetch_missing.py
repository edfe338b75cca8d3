"""A training hook fetches a tensor that only the EVAL graph builds."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EXPECT = [("GL201", "train", "eval_summary/mean_logit:0"), ("GL104", "eval", "eval_summary/")]


class MeanHook(tf.estimator.SessionRunHook):
    def before_run(self, run_context):
        return tf.estimator.SessionRunArgs({"mean": "eval_summary/mean_logit:0"})


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    if mode == tf.estimator.ModeKeys.EVAL:
        with tf.compat.v1.variable_scope("eval_summary"):
            tf.reduce_mean(logits, name="mean_logit")
    return spec(mode, logits, labels, training_hooks=[MeanHook()])
