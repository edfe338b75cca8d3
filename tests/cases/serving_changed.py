"""Checked against the SavedModel in production, exported for real from this file with the params
and receiver it had then (SAVED_MODEL): the new export changes its signatures every way a client
can notice, drops one that Estimator cannot export, names a tensor of another graph, and restores
a variable the SavedModel does not have."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear  # noqa: F401

SAVED_MODEL = {"params": {"old": True}, "receiver_fn": "old_serving_input_receiver_fn"}
EXPECT = [
    ("GL501", "predict", "gone"),
    ("GL503", "predict", "serving_default/outputs/logits"),
    ("GL504", "predict", "serving_default/inputs/mask"),
    ("GL506", "predict", "serving_default/inputs/a"),
    ("GL507", "predict", "serving_default/inputs/inc"),
    ("GL510", "predict", "cls"),
    ("GL511", "predict", "unbuilt/outputs/s"),
    ("GL512", "predict", "w2"),
    ("GL506", "predict", "serving_default/outputs/o"),
    ("GL508", "predict", "serving_default/inputs/nar"),
    ("GL104", "predict", "Pad/"),
    ("GL502", "predict", "new"),
    ("GL505", "predict", "serving_default/outputs/probabilities"),
    ("GL509", "predict", "serving_default/inputs/gen"),
]
params = {"units": 3, "old": False}


def _placeholder(name, shape, dtype=tf.float32):
    return tf.compat.v1.placeholder(dtype, shape, name=name)


def old_serving_input_receiver_fn():
    tensors = {k: _placeholder(k, [None, 4]) for k in ("x", "a", "inc", "nar", "gen")}
    return tf.estimator.export.ServingInputReceiver({"x": tensors["x"]}, tensors)


def serving_input_receiver_fn():
    tensors = {"x": _placeholder("x", [None, 4]), "a": _placeholder("a", [None, 4], tf.float64),
               "inc": _placeholder("inc", [None, 2, 2]), "nar": _placeholder("nar", [2, 4]),
               "gen": _placeholder("gen", [None, None]), "mask": _placeholder("mask", [None, 4])}
    return tf.estimator.export.ServingInputReceiver({"x": tensors["x"]}, tensors)


def _export_outputs(params, logits):
    classes, first = tf.argmax(logits, 1), logits[:, 0]
    if params["old"]:
        return {"serving_default": tf.estimator.export.PredictOutput({"logits": logits, "classes": classes, "o": first}),
                "gone": tf.estimator.export.PredictOutput({"s": logits})}
    with tf.Graph().as_default():  # a tensor of another graph: the serving graph has no such name
        other = tf.constant([[1.0]], name="other_graph_scores")
    return {"serving_default": tf.estimator.export.PredictOutput({
                "logit2": logits, "classes": classes, "o": tf.cast(first, tf.float64),
                "probabilities": tf.nn.softmax(tf.pad(logits, [[0, 0], [0, 2]]))}),
            "new": tf.estimator.export.PredictOutput({"s": logits}),
            "cls": tf.estimator.export.ClassificationOutput(scores=logits),  # needs serialized tf.Example input
            "unbuilt": tf.estimator.export.PredictOutput({"s": other})}


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    if not params["old"]:
        logits += linear(features, params["units"], name="w2")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits},
                                          export_outputs=_export_outputs(params, logits))
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
