"""GL202's suggested fix, verbatim: re-enter with the scope object and its original name scope."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EXPECT = []


class ScoreHook(tf.estimator.SessionRunHook):
    def before_run(self, run_context):
        return tf.estimator.SessionRunArgs("head/score:0")


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope("head") as scope:
        logits = linear(features, params["units"])
    with tf.compat.v1.variable_scope(scope, auxiliary_name_scope=False):
        with tf.name_scope(scope.original_name_scope):
            tf.reduce_sum(logits, name="score")
    hooks = [ScoreHook()]
    return spec(mode, logits, labels, training_hooks=hooks, evaluation_hooks=hooks, prediction_hooks=hooks)
