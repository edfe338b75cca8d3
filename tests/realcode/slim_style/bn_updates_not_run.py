"""Planted bug (silent): a bare minimize() never runs batch norm's UPDATE_OPS.

Training and evaluation both succeed, but the saved moving_mean / moving_variance keep their
initial values (zeros / ones), so EVAL and PREDICT normalize with the wrong statistics.
"""

import tensorflow as tf

from slim_lib import input_fn, logits_and_loss, params, spec  # noqa: F401


def model_fn(features, labels, mode, params):
    logits, loss = logits_and_loss(features, labels, mode, params)
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        optimizer = tf.compat.v1.train.MomentumOptimizer(params["learning_rate"], momentum=0.9)
        train_op = optimizer.minimize(loss, global_step=tf.compat.v1.train.get_global_step())
    return spec(mode, logits, loss, labels, train_op)
