"""model_fn reads a param that only exists for training: EVAL cannot be built."""

from graphlint.rules.example_common import input_fn, linear, spec  # noqa: F401

params = {"units": 3}
ARGS = ["--params-train", '{"train_units": 3}']
EXPECT = [("GL901", "eval", "model_fn"), ("GL901", "predict", "model_fn")]


def model_fn(features, labels, mode, params):
    units = params["train_units"]
    return spec(mode, linear(features, units), labels)
