"""The same graph in every mode, hooks that fetch only what exists, and explicit args."""

import tensorflow as tf

from graphlint.rules.example_common import linear, params, spec

EXPECT = []


def train_input_fn(params, mode, config):
    from graphlint.rules.example_common import input_fn

    assert mode == tf.estimator.ModeKeys.TRAIN and config is not None
    return input_fn(params)


def input_fn(params):
    from graphlint.rules.example_common import input_fn as shared

    return shared(params)


class LogitsHook(tf.estimator.SessionRunHook):
    def before_run(self, run_context):
        return tf.estimator.SessionRunArgs([tf.compat.v1.get_default_graph().get_tensor_by_name("predictions:0"),
                                            "global_step:0", "w"])


def model_fn(features, labels, mode, params, config):
    hooks = [LogitsHook()]
    return spec(mode, linear(features, params["units"]), labels,
                training_hooks=hooks, evaluation_hooks=hooks, prediction_hooks=hooks)
