"""BERT's way of building a warm-start map: the names the graph and the checkpoint share. The
checkpoint calls the scope 'enc', the model 'encoder', so the map is empty, TF accepts it, and
nothing is loaded. Learning rate 0, so that tests/test_silent_rules.py can compare the trained
weights with the checkpoint's after a real run."""

import os

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear  # noqa: F401

EXPECT = [("GL310", "train", "init_from_checkpoint")]
WARM_START = os.path.join(os.path.dirname(os.path.abspath(__file__)), "warm_start_ckpt", "model.ckpt-1")
params = {"units": 3, "learning_rate": 0.0}


def shared_names_map(checkpoint):
    in_checkpoint = {name for name, _ in tf.train.list_variables(checkpoint)}
    return {v.op.name: v.op.name for v in tf.compat.v1.trainable_variables() if v.op.name in in_checkpoint}


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope("encoder"):
        logits = linear(features, params["units"])
    scopes = {"enc/": "encoder/"} if params.get("map_scopes") else None  # the twin's fix
    tf.compat.v1.train.init_from_checkpoint(WARM_START, scopes or shared_names_map(WARM_START))
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        train_op = tf.compat.v1.train.GradientDescentOptimizer(params["learning_rate"]).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
