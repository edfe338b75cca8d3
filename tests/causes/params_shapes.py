"""The evaluation job is launched with its own params, and `units` sizes every layer: one cause
(the differing param), every saved variable of another shape."""

import tensorflow as tf

from causes_common import input_fn, spec, tower  # noqa: F401

params = {"units": 3}
ARGS = ["--params-eval", '{"units": 5}']


def model_fn(features, labels, mode, params):
    return spec(mode, tower(features["x"], params["units"]), labels)
