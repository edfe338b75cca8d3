"""Checked against a TF2 object-based checkpoint (tf.train.Checkpoint, CHECKPOINT) whose variables
have the graph's names only in its object graph: Estimator's name-based Saver cannot map them in a
finalized graph."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

CHECKPOINT = {"object": {"kernel": ["model/w", [4, 3], "float32"], "step": ["global_step", [], "int64"]}}
EXPECT = [("GL307", "train,eval,predict", "$TMP/object/ckpt-1")]  # $TMP: where CHECKPOINT was made


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope("model"):
        logits = linear(features, params["units"])
    return spec(mode, logits, labels)
