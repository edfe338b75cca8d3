"""Shared pieces of the classification test models: a tiny token dataset and a dense helper."""

import numpy as np
import tensorflow as tf

SEQ, VOCAB, HIDDEN = 6, 20, 8


def input_fn(params):
    ids = (np.arange(8 * SEQ).reshape(8, SEQ) % VOCAB).astype("int32")
    y = (ids[:, 0] % 2).astype("int32")
    return tf.data.Dataset.from_tensor_slices(({"ids": ids}, y)).repeat().batch(4)


def dense(x, units, name):
    with tf.compat.v1.variable_scope(name):
        w = tf.compat.v1.get_variable("kernel", [x.shape[-1], units])
        b = tf.compat.v1.get_variable("bias", [units], initializer=tf.zeros_initializer())
        return tf.matmul(x, w) + b


def classifier_spec(mode, logits, labels, train_op_fn, scaffold=None):
    """The EstimatorSpec a classifier returns, with accuracy as its evaluation metric."""
    predictions = {"classes": tf.argmax(logits, axis=-1, name="classes")}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions, scaffold=scaffold)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    if mode == tf.estimator.ModeKeys.EVAL:
        metrics = {"accuracy": tf.compat.v1.metrics.accuracy(labels, predictions["classes"])}
        return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops=metrics, scaffold=scaffold)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op_fn(loss), scaffold=scaffold)
