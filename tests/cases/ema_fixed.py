"""GL107's fix: evaluation restores the moving averages only when training makes them (same param)."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear  # noqa: F401

params = {"units": 3, "use_ema": False}
EXPECT = []


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    ema = tf.compat.v1.train.ExponentialMovingAverage(decay=0.99)
    scaffold = None
    if mode != tf.estimator.ModeKeys.TRAIN and params["use_ema"]:
        scaffold = tf.compat.v1.train.Scaffold(saver=tf.compat.v1.train.Saver(ema.variables_to_restore()))
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"p": logits}, scaffold=scaffold)
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step())
        if params["use_ema"]:
            with tf.control_dependencies([train_op]):
                train_op = ema.apply(tf.compat.v1.trainable_variables())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, scaffold=scaffold)
