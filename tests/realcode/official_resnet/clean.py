"""Official-r1 resnet style, correct: the train op is grouped with batch norm's UPDATE_OPS."""

import tensorflow as tf

from resnet_lib import input_fn, params, spec, tiny_resnet  # noqa: F401

REQUIRES = "keras"


def minimize_with_updates(optimizer, loss, global_step):
    minimize_op = optimizer.minimize(loss, global_step)
    update_ops = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
    return tf.group(minimize_op, update_ops)


def model_fn(features, labels, mode, params):
    training = mode == tf.estimator.ModeKeys.TRAIN
    logits = tiny_resnet(features, params["num_classes"], training)
    return spec(mode, logits, labels, params, minimize_with_updates)
