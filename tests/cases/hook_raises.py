"""A hook whose before_run needs a live session: its fetches cannot be checked."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EXPECT = [("GL203", "eval", "SessionHook")]


class SessionHook(tf.estimator.SessionRunHook):
    def before_run(self, run_context):
        run_context.session.graph  # no session exists before the first run
        return None


def model_fn(features, labels, mode, params):
    return spec(mode, linear(features, params["units"]), labels, evaluation_hooks=[SessionHook()])
