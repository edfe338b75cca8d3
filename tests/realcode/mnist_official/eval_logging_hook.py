"""Planted bug: an EVAL LoggingTensorHook names 'train_accuracy', which only TRAIN builds.

LoggingTensorHook resolves its names in begin(): evaluation fails with KeyError before the
first step.
"""

import tensorflow as tf

from mnist_lib import TENSORS_TO_LOG, eval_spec, input_fn, params, predict_spec, train_spec  # noqa: F401


def model_fn(features, labels, mode, params):
    image = features["image"]
    if mode == tf.estimator.ModeKeys.PREDICT:
        return predict_spec(image)
    if mode == tf.estimator.ModeKeys.TRAIN:
        logging_hook = tf.compat.v1.train.LoggingTensorHook(tensors=TENSORS_TO_LOG, every_n_iter=1)
        return train_spec(image, labels, params, training_hooks=[logging_hook])
    eval_hook = tf.compat.v1.train.LoggingTensorHook(tensors={"accuracy": "train_accuracy"},
                                                     every_n_iter=1)
    return eval_spec(image, labels, evaluation_hooks=[eval_hook])
