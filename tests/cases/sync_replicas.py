"""SyncReplicasOptimizer with one replica: the train op only feeds the gradient accumulators and
dequeues a token; the chief's queue runner (started by the optimizer's hook) applies the
aggregated gradients, then enqueues the token. The variables are updated (tests/
test_training_wrappers.py trains it for real): no GL402."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401

EXPECT = [  # the token queue's ops that only the chief's queue runner uses: information only
    ("GL104", "train", "Fill/"),
    ("GL104", "train", "Fill_1/"),
]


def model_fn(features, labels, mode, params):
    return build(features, labels, mode, params)


def build(features, labels, mode, params, stop_gradient=False):
    logits = linear(features, params["units"])
    if stop_gradient:  # sync_replicas_stop_gradient.py: a variable no gradient reaches
        logits *= tf.stop_gradient(tf.compat.v1.get_variable("gate", [], initializer=tf.ones_initializer()))
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op, hooks = None, []
    if mode == tf.estimator.ModeKeys.TRAIN:
        optimizer = tf.compat.v1.train.SyncReplicasOptimizer(
            tf.compat.v1.train.GradientDescentOptimizer(0.1), replicas_to_aggregate=1, total_num_replicas=1)
        train_op = optimizer.minimize(loss, global_step=tf.compat.v1.train.get_global_step())
        hooks.append(optimizer.make_session_run_hook(is_chief=True))
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, training_hooks=hooks)
