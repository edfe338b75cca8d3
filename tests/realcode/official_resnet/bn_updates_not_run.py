"""Planted bug (silent): the train op is a bare minimize(); batch norm's UPDATE_OPS never run.

Training and evaluation succeed, but every saved moving_mean stays zeros and every
moving_variance ones, so EVAL and PREDICT normalize with statistics that were never learned.
"""

import tensorflow as tf

from resnet_lib import input_fn, params, spec, tiny_resnet  # noqa: F401

REQUIRES = "keras"


def bare_minimize(optimizer, loss, global_step):
    return optimizer.minimize(loss, global_step)


def model_fn(features, labels, mode, params):
    training = mode == tf.estimator.ModeKeys.TRAIN
    logits = tiny_resnet(features, params["num_classes"], training)
    return spec(mode, logits, labels, params, bare_minimize)
