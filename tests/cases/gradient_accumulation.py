"""Gradient accumulation as public code writes it: every step adds the gradients to accumulator
variables; every STEPS steps, under tf.cond, the optimizer applies their mean and they are reset.
The variables are updated every STEPS steps (tests/test_training_wrappers.py): no GL402."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401

EXPECT = []
STEPS = 2


def accumulating_train_op(loss, optimizer):
    global_step = tf.compat.v1.train.get_global_step()
    tvars = tf.compat.v1.trainable_variables()
    accums = [tf.compat.v1.get_variable(v.op.name + "/accum", v.shape, trainable=False,
                                        initializer=tf.compat.v1.zeros_initializer()) for v in tvars]
    accumulate = tf.group(*[a.assign_add(g) for a, g in zip(accums, tf.gradients(loss, tvars))])

    def apply():
        with tf.control_dependencies([optimizer.apply_gradients([(a / STEPS, v) for a, v in zip(accums, tvars)])]):
            return tf.group(*[a.assign(tf.zeros_like(a)) for a in accums])

    with tf.control_dependencies([accumulate]):
        step = tf.cond(tf.equal((global_step + 1) % STEPS, 0), apply, tf.no_op)
    with tf.control_dependencies([step]):
        return global_step.assign_add(1)


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        train_op = accumulating_train_op(loss, tf.compat.v1.train.GradientDescentOptimizer(0.1))
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
