"""The eval job's params widen the head and change the batch size: the head's shape differs by mode,
and GL106 names 'units', not 'batch_size', as the param that sizes it (one finding: not GL102 too)."""

from graphlint.rules.example_common import input_fn, linear, spec  # noqa: F401

params = {"units": 3, "batch_size": 4, "model": {"layers": 1}}
ARGS = ["--params-eval", '{"units": 4, "batch_size": 8}']
EXPECT = [("GL106", "train,eval,predict", "w")]  # the param that sizes w is the cause: GL102 is its symptom


def model_fn(features, labels, mode, params):
    return spec(mode, linear(features, params["units"]), labels)
