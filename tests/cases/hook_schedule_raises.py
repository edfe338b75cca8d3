"""A training hook whose before_run() raises every 20th step (a name its own dict lacks): the
first 19 steps train, the 20th fails."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EXPECT = [("GL203", "train", "LateHook")]


class LateHook(tf.estimator.SessionRunHook):
    def begin(self):
        self._step = 0
        self._tensors = {"predictions": tf.compat.v1.get_default_graph().get_tensor_by_name("predictions:0")}

    def before_run(self, run_context):
        self._step += 1
        if self._step % 20 == 0:
            return tf.estimator.SessionRunArgs(self._tensors["eval_logits"])
        return None


def model_fn(features, labels, mode, params):
    return spec(mode, linear(features, params["units"]), labels, training_hooks=[LateHook()])
