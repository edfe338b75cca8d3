"""Evaluation and export restore every weight's moving average, but training never applies the EMA:
one cause (the Saver over ema.variables_to_restore()), 24 shadow keys."""

import tensorflow as tf

from causes_common import input_fn, spec, tower  # noqa: F401

params = {"units": 3}
EXPECT = [  # GL107 only: GL101 (a key TRAIN never creates) is its symptom, and GL101's fix is wrong for a shadow
    ("GL107", "eval,predict", "layer_0/b/ExponentialMovingAverage"),
]
NAMES = 24  # every variable's shadow


def model_fn(features, labels, mode, params):
    logits = tower(features["x"], params["units"])
    ema = tf.compat.v1.train.ExponentialMovingAverage(decay=0.99)
    scaffold = None
    if mode != tf.estimator.ModeKeys.TRAIN:
        scaffold = tf.compat.v1.train.Scaffold(saver=tf.compat.v1.train.Saver(ema.variables_to_restore()))
    return spec(mode, logits, labels, scaffold)
