"""sync_replicas.py with a scale the loss reads only through tf.stop_gradient: its gradient is
None, so SyncReplicasOptimizer accumulates nothing for it and the wrapped optimizer never applies
anything to it (tests/test_training_wrappers.py: it keeps its initial value)."""

import tensorflow as tf  # noqa: F401

import sync_replicas
from graphlint.rules.example_common import input_fn, params  # noqa: F401

EXPECT = [("GL402", "train", "gate"), ("GL104", "train", "Fill/"), ("GL104", "train", "Fill_1/")]


def model_fn(features, labels, mode, params):
    return sync_replicas.build(features, labels, mode, params, stop_gradient=True)
