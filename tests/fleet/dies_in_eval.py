"""A model whose process dies (as on an out-of-memory kill) while building EVAL."""

import os
import sys

import tensorflow as tf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from shared_state import input_fn, linear_spec  # noqa: E402,F401

params = {}


def model_fn(features, labels, mode, params):
    if mode == tf.estimator.ModeKeys.EVAL:
        os._exit(3)
    return linear_spec(features, labels, mode, "w")
