"""The eval params give the head a different width: restoring the training checkpoint fails."""

from graphlint.rules.example_common import input_fn, linear, spec  # noqa: F401

params = {"units": 3}
ARGS = ["--params-eval", '{"units": 4}']
EXPECT = [("GL106", "train,eval,predict", "w")]  # the param that sizes w is the cause: GL102 is its symptom


def model_fn(features, labels, mode, params):
    return spec(mode, linear(features, params["units"]), labels)
