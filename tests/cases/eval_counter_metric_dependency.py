"""The per-class AUC fix's counter as a global variable: created in every mode, incremented under
the AUC update's control dependency wherever labels exist, so TRAIN builds the increment too and
its train op never runs it. No result reads the counter (the AUC's value does not, the update only
waits for it), so its stale value changes nothing: no GL403 (tests/test_training_wrappers.py
evaluates it for real). GL401 still says that evaluation state sits in a saved variable."""

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401

EXPECT = [("GL401", "train,eval", "class_0/sample_num_classid_0")]


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    with tf.compat.v1.variable_scope("class_0"):
        sample_num = tf.compat.v1.get_variable("sample_num_classid_0", shape=[], trainable=False,
                                               initializer=tf.compat.v1.zeros_initializer())
        auc, update_auc = tf.compat.v1.metrics.auc(labels=labels, predictions=tf.sigmoid(logits[:, :1]))
        with tf.control_dependencies([update_auc]):
            update_num = tf.compat.v1.assign_add(sample_num, tf.cast(tf.size(labels), tf.float32))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op,
                                      eval_metric_ops={"auc_class_0": (auc, update_num)})
