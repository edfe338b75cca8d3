"""TRAIN creates an extra unnamed variable first: EVAL's weights take its name and silently load its value."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, params, spec  # noqa: F401

EXPECT = [
    ("GL104", "train", "Variable_1/"),
    ("GL104", "train", "noise/"),
    ("GL105", "train,eval,predict", "Variable_1"),
]


class PrintBiasHook(tf.estimator.SessionRunHook):
    def before_run(self, run_context):
        return tf.estimator.SessionRunArgs("bias_value:0")

    def after_run(self, run_context, run_values):
        print("bias: %s" % run_values.results.tolist())


def model_fn(features, labels, mode, params):
    logits = features["x"][:, :params["units"]]
    if mode == tf.estimator.ModeKeys.TRAIN:
        noise_scale = tf.compat.v1.Variable([7.0] * params["units"], trainable=False)
        with tf.name_scope("noise"):
            logits += noise_scale * tf.random.normal(tf.shape(logits), stddev=0.0)
    bias = tf.compat.v1.Variable(tf.zeros([params["units"]]))
    tf.identity(bias, name="bias_value")
    return spec(mode, logits + bias, labels, evaluation_hooks=[PrintBiasHook()])
