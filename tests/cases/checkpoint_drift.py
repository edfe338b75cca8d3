"""Checked against a checkpoint of this model trained with the params it had then (CHECKPOINT):
the encoder scope was renamed since, the head widened, the bias made float64, and an evaluation
hook now fetches a counter the checkpoint never had."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, spec  # noqa: F401

CHECKPOINT = {"params": {"scope": "encoder", "head_units": 3, "bias_dtype": "float32", "seen": False}}
EXPECT = [
    ("GL301", "train,eval,predict", "encoder_v2/w"),
    ("GL301", "train,eval,predict", "seen"),
    ("GL302", "train,eval,predict", "head"),
    ("GL303", "train,eval,predict", "bias"),
    ("GL306", "eval", "seen:0"),
    ("GL304", "", "encoder/w"),
]
params = {"scope": "encoder_v2", "head_units": 5, "bias_dtype": "float64", "seen": True}


class SeenHook(tf.estimator.SessionRunHook):
    def before_run(self, run_context):
        return tf.estimator.SessionRunArgs("seen:0")


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope(params["scope"]):
        hidden = linear(features, 3)
    head = tf.compat.v1.get_variable("head", [3, params["head_units"]])
    bias = tf.compat.v1.get_variable("bias", [], dtype=params["bias_dtype"], initializer=tf.zeros_initializer())
    logits = tf.matmul(hidden, head) + tf.cast(bias, tf.float32)
    hooks = []
    if params["seen"]:
        tf.compat.v1.get_variable("seen", [], trainable=False, initializer=tf.zeros_initializer())
        hooks = [SeenHook()]
    return spec(mode, logits, labels, evaluation_hooks=hooks)
