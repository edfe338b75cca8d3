"""Training hooks that fetch an EVAL-only tensor on a schedule: the first steps are fine, the
Nth session.run fails. One hook per schedule style, each with its own missing name."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

EXPECT = [("GL201", "train", "eval_summary/every_50:0"), ("GL201", "train", "eval_summary/step_timer:0"),
          ("GL201", "train", "eval_summary/wall_timer:0"), ("GL201", "train", "eval_summary/global_step:0"),
          ("GL201", "train", "eval_summary/logged:0"), ("GL104", "eval", "eval_summary/")]
NAMES = ("every_50", "step_timer", "wall_timer", "global_step", "logged")
Args = tf.estimator.SessionRunArgs


class EveryFifty(tf.estimator.SessionRunHook):
    """Its own step counter."""

    def begin(self):
        self._step = 0

    def before_run(self, run_context):
        self._step += 1
        return Args("eval_summary/every_50:0") if self._step % 50 == 0 else None


class OnTimer(tf.estimator.SessionRunHook):
    """A SecondOrStepTimer on steps or on seconds, started in begin() so the first step does not fire."""

    def __init__(self, name, **every):
        self._name, self._every = name, every

    def begin(self):
        self._timer = tf.compat.v1.train.SecondOrStepTimer(**self._every)
        self._timer.update_last_triggered_step(0)
        self._step = 0

    def before_run(self, run_context):
        self._step += 1
        if self._timer.should_trigger_for_step(self._step):
            self._timer.update_last_triggered_step(self._step)
            return Args(self._name)
        return None


class OnGlobalStep(tf.estimator.SessionRunHook):
    """Triggers on the global step it reads back in after_run (as ProfilerHook does)."""

    def begin(self):
        self._global_step = tf.compat.v1.train.get_global_step()
        self._timer = tf.compat.v1.train.SecondOrStepTimer(every_steps=50)
        self._next = None

    def before_run(self, run_context):
        fetches = {"step": self._global_step}
        if self._next is not None and self._timer.should_trigger_for_step(self._next):
            fetches["mean"] = "eval_summary/global_step:0"
        return Args(fetches)

    def after_run(self, run_context, run_values):
        step = int(run_values.results["step"])
        if self._next is None or "mean" in run_values.results:
            self._timer.update_last_triggered_step(step)
        self._next = step + 1


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    if mode == tf.estimator.ModeKeys.EVAL:
        with tf.compat.v1.variable_scope("eval_summary"):
            for name in NAMES:
                tf.reduce_mean(logits, name=name)
    hooks = [EveryFifty(), OnTimer("eval_summary/step_timer:0", every_steps=50),
             OnTimer("eval_summary/wall_timer:0", every_secs=600), OnGlobalStep(),
             tf.compat.v1.train.LoggingTensorHook({"mean": "eval_summary/logged"}, every_n_iter=50)]
    return spec(mode, logits, labels, training_hooks=hooks)
