"""tf.compat.v1.layers: on TensorFlow 2.16+ it needs tf-keras (Keras 2); without it, graphlint stops with the install."""

import numpy as np
import tensorflow as tf

params = {}


def input_fn(params):
    x = np.zeros((8, 4), "float32")
    return tf.data.Dataset.from_tensor_slices(({"x": x}, x[:, :1])).repeat().batch(4)


def model_fn(features, labels, mode, params):
    logits = tf.compat.v1.layers.dense(features["x"], 1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": logits})
    loss = tf.reduce_mean(tf.square(logits - labels))
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=tf.no_op())
