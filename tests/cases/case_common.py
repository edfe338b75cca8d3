"""Shared pieces of the test case models: a tiny dataset and a linear model."""

import numpy as np
import tensorflow as tf

params = {"units": 3}


def input_fn(params):
    x = np.arange(32, dtype="float32").reshape(8, 4) / 32.0
    y = (x[:, :1] > 0.5).astype("float32")
    return tf.data.Dataset.from_tensor_slices(({"x": x}, y)).repeat().batch(4)


def linear(features, units, name="w", dtype=tf.float32):
    w = tf.compat.v1.get_variable(name, [4, units], dtype=dtype)
    return tf.matmul(tf.cast(features["x"], dtype), w)


def spec(mode, logits, labels, **hooks):
    predictions = tf.identity(logits, name="predictions")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"p": predictions}, **hooks)
    loss = tf.reduce_mean(tf.square(tf.cast(logits[:, :1], tf.float32) - labels))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, **hooks)
