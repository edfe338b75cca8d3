"""tf.compat.v1.layers in graph mode: dense layers, batch norm with moving statistics and update
ops, and an embedding through feature columns. The same layers in every mode: only expected
differences (BN updates and the optimizer in TRAIN, the loss outside PREDICT)."""

import numpy as np
import tensorflow as tf

params = {"units": 3}
EXPECT = []
REQUIRES = "keras"


def input_fn(params):
    x = np.arange(32, dtype="float32").reshape(8, 4) / 32.0
    ids = (np.arange(8, dtype="int64") % 5).reshape(8, 1)
    y = (x[:, :1] > 0.5).astype("float32")
    return tf.data.Dataset.from_tensor_slices(({"x": x, "ids": ids}, y)).repeat().batch(4)


def model_fn(features, labels, mode, params):
    fc = tf.compat.v1.feature_column
    ids = fc.embedding_column(fc.categorical_column_with_identity("ids", 5), 2)
    embedded = fc.input_layer(features, [ids])
    training = mode == tf.estimator.ModeKeys.TRAIN
    hidden = tf.compat.v1.layers.dense(tf.concat([features["x"], embedded], 1), 8, name="hidden")
    hidden = tf.compat.v1.layers.batch_normalization(hidden, training=training, name="bn")
    logits = tf.compat.v1.layers.dense(hidden, 1, name="logits")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.compat.v1.losses.sigmoid_cross_entropy(labels, logits)
    train_op = None
    if training:
        with tf.control_dependencies(tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)):
            train_op = tf.compat.v1.train.AdamOptimizer(0.01).minimize(
                loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
