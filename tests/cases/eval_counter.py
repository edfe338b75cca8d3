"""A global variable counts evaluation examples: only EVAL updates it, training never does."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EXPECT = [
    ("GL104", "eval", "counting/"),  # the assign_add; count_examples is only what CountHook fetches
    ("GL401", "train,eval,predict", "examples_seen"),
]


class CountHook(tf.estimator.SessionRunHook):
    def before_run(self, run_context):
        return tf.estimator.SessionRunArgs("count_examples:0")

    def after_run(self, run_context, run_values):
        print("examples seen: %d" % run_values.results)


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    seen = tf.compat.v1.get_variable("examples_seen", [], initializer=tf.compat.v1.zeros_initializer())
    hooks = []
    if mode == tf.estimator.ModeKeys.EVAL:
        with tf.name_scope("counting"):
            count = tf.compat.v1.assign_add(seen, tf.cast(tf.size(labels), tf.float32))
        tf.identity(count, name="count_examples")
        hooks.append(CountHook())
    return spec(mode, logits, labels, evaluation_hooks=hooks)
