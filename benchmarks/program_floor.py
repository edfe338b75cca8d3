"""The floor of `graphlint run`: what any tool that looks at a training program's graphs pays.

The program runs as itself (its imports, its flags, its own code), with Estimator's entry points
(train, evaluate, predict, train_and_evaluate) replaced by one build of each distinct
(model_dir, mode) they ask for: a fresh tf.Graph with the global step, the program's input_fn and
model_fn through Estimator's own `_get_features_and_labels_from_input_fn` and `_call_model_fn`.
Nothing else: no hooks, no Scaffold, no checkpoint, no rules. The real Estimator only
(TensorFlow 2.15 with tensorflow-estimator): the stand-in has no such methods.

    python benchmarks/program_floor.py PROGRAM.py [args...]

Prints one JSON line: {"builds": [[model_dir, mode], ...], "seconds": S}.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import time


def _patch(built: list):
    import tensorflow as tf

    est_api = tf.estimator
    keys = est_api.ModeKeys

    def build(estimator, input_fn, mode):
        key = (estimator.model_dir, mode)
        if key in {tuple(b) for b in built}:
            return
        with tf.Graph().as_default():
            tf.compat.v1.train.get_or_create_global_step()
            features, labels, _ = estimator._get_features_and_labels_from_input_fn(input_fn, mode)
            estimator._call_model_fn(features, labels, mode, estimator.config)
        built.append(list(key))

    def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
        build(self, input_fn, keys.TRAIN)
        return self

    def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
        build(self, input_fn, keys.EVAL)
        return {}

    def predict(self, input_fn, *args, **kwargs):
        build(self, input_fn, keys.PREDICT)
        return iter(())

    def train_and_evaluate(estimator, train_spec, eval_spec):
        build(estimator, train_spec.input_fn, keys.TRAIN)
        build(estimator, eval_spec.input_fn, keys.EVAL)
        return {}, []

    base = est_api.Estimator
    base.train, base.evaluate, base.predict = train, evaluate, predict
    est_api.train_and_evaluate = train_and_evaluate


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    start = time.perf_counter()
    built = []
    _patch(built)
    sys.argv = argv
    sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
    runpy.run_path(argv[0], run_name="__main__")
    print(json.dumps({"builds": built, "seconds": time.perf_counter() - start}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
