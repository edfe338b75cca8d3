"""tf_slim's slim.learning.create_train_op around Adam: the train op is an identity of the loss
that depends on the update (and on UPDATE_OPS). The variables are updated (tests/
test_training_wrappers.py): no GL402."""

import tensorflow as tf
import tf_slim as slim

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401

EXPECT = []


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        train_op = slim.learning.create_train_op(loss, tf.compat.v1.train.AdamOptimizer(0.1))
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
