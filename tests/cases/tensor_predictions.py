"""predictions as a lone tensor (not a dict), as the official MNIST-style estimators often return
it: graphlint must read the spec without asking a tensor for its truth value."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401  (params and input_fn are the contract)

EXPECT = []


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=tf.nn.softmax(logits),
                                          export_outputs={"serving_default": tf.estimator.export.PredictOutput(
                                              tf.nn.softmax(logits))})
    loss = tf.reduce_mean(tf.square(logits - tf.cast(labels, tf.float32)))
    step = tf.compat.v1.train.get_or_create_global_step()
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
