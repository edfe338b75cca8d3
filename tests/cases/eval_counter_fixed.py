"""GL401's fix: the evaluation counter is a local variable, built in every mode; only EVAL fetches it."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EXPECT = []


class CountHook(tf.estimator.SessionRunHook):
    def before_run(self, run_context):
        return tf.estimator.SessionRunArgs("count_examples:0")

    def after_run(self, run_context, run_values):
        print("examples seen: %d" % run_values.results)


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    seen = tf.compat.v1.get_variable("examples_seen", [], initializer=tf.compat.v1.zeros_initializer(),
                                     trainable=False, collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES])
    count = tf.compat.v1.assign_add(seen, tf.cast(tf.shape(features["x"])[0], tf.float32))
    tf.identity(count, name="count_examples")
    return spec(mode, logits, labels, evaluation_hooks=[CountHook()])
