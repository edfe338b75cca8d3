"""The eval job's params widen the head and change the batch size: the head's shape differs by mode
(GL102), and GL106 names 'units', not 'batch_size', as the param that sizes it."""

from case_common import input_fn, linear, spec  # noqa: F401

params = {"units": 3, "batch_size": 4, "model": {"layers": 1}}
ARGS = ["--params-eval", '{"units": 4, "batch_size": 8}']
EXPECT = [("GL102", "train,eval,predict", "w"), ("GL106", "train,eval,predict", "w")]


def model_fn(features, labels, mode, params):
    return spec(mode, linear(features, params["units"]), labels)
