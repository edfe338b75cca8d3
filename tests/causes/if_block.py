"""A Python `if` on the mode around a whole block of saved variables: a calibration tower built
for evaluation and export only. One cause (the `if`), 24 variables."""

import tensorflow as tf

from causes_common import input_fn, spec, tower  # noqa: F401

params = {"units": 3}
EXPECT = [("GL101", "eval,predict", "calib_0/b")]
NAMES = 24


def model_fn(features, labels, mode, params):
    logits = tower(features["x"], params["units"])
    if mode != tf.estimator.ModeKeys.TRAIN:
        logits = tower(logits, params["units"], prefix="calib")
    return spec(mode, logits, labels)
