"""tf-slim style, correct: create_train_op makes the train op depend on batch norm's UPDATE_OPS."""

import tensorflow as tf
import tf_slim as slim

from slim_lib import input_fn, logits_and_loss, params, spec  # noqa: F401


def model_fn(features, labels, mode, params):
    logits, loss = logits_and_loss(features, labels, mode, params)
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        optimizer = tf.compat.v1.train.MomentumOptimizer(params["learning_rate"], momentum=0.9)
        train_op = slim.learning.create_train_op(loss, optimizer)
    return spec(mode, logits, loss, labels, train_op)
