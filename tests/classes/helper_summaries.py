"""Summaries built by a helper, in TRAIN only (official-models style): histograms of every
trainable variable, the fraction of zeros of an activation, and a scalar computed only for its
summary. Nothing here breaks."""

import tensorflow as tf

from common import HIDDEN, classifier_spec, dense, input_fn  # noqa: F401

params = {}


def add_summaries(hidden, logits, labels):
    for var in tf.compat.v1.trainable_variables():
        tf.compat.v1.summary.histogram(var.op.name, var)
    tf.compat.v1.summary.scalar("hidden_sparsity", tf.nn.zero_fraction(hidden))
    correct = tf.equal(tf.argmax(logits, axis=-1, output_type=tf.int32), labels)
    tf.compat.v1.summary.scalar("train_accuracy", tf.reduce_mean(tf.cast(correct, tf.float32)))


def model_fn(features, labels, mode, params):
    x = tf.one_hot(features["ids"][:, 0], HIDDEN)
    with tf.compat.v1.variable_scope("net"):
        hidden = tf.nn.relu(dense(x, HIDDEN, "hidden"))
        logits = dense(hidden, 2, "logits")
    if mode == tf.estimator.ModeKeys.TRAIN:
        add_summaries(hidden, logits, labels)

    def train_op_fn(loss):
        return tf.compat.v1.train.MomentumOptimizer(0.1, 0.9).minimize(
            loss, global_step=tf.compat.v1.train.get_or_create_global_step())

    return classifier_spec(mode, logits, labels, train_op_fn)
