"""A scope re-entered by its string name: the hook's fetch lands in 'head_1/', not 'head/'."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EXPECT = [("GL202", "train,eval,predict", "head/")]  # one line re-enters the scope: one finding for every mode


class ScoreHook(tf.estimator.SessionRunHook):
    def before_run(self, run_context):
        return tf.estimator.SessionRunArgs("head/score:0")


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope("head"):
        logits = linear(features, params["units"])
    with tf.compat.v1.variable_scope("head"):
        tf.reduce_sum(logits, name="score")
    hooks = [ScoreHook()]
    return spec(mode, logits, labels, training_hooks=hooks, evaluation_hooks=hooks, prediction_hooks=hooks)
