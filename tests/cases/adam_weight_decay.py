"""BERT's AdamWeightDecayOptimizer (google-research/bert optimization.py, trimmed): its slots are
get_variable calls named `<var>/adam_m` and `<var>/adam_v`, and it updates each variable with a
plain `assign`, not an Apply* kernel. The variables are updated (tests/test_training_wrappers.py):
no GL402, and the slots, which the train op assigns, are no GL403."""

import re

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params  # noqa: F401

EXPECT = []


class AdamWeightDecayOptimizer(tf.compat.v1.train.Optimizer):
    def __init__(self, learning_rate, weight_decay_rate=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-6):
        super().__init__(False, "AdamWeightDecayOptimizer")
        self.learning_rate, self.weight_decay_rate = learning_rate, weight_decay_rate
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        assignments = []
        for grad, param in grads_and_vars:
            if grad is None or param is None:
                continue
            param_name = re.match("^(.*):\\d+$", param.name).group(1)
            m, v = (tf.compat.v1.get_variable(param_name + suffix, param.shape.as_list(), tf.float32, trainable=False,
                                              initializer=tf.zeros_initializer()) for suffix in ("/adam_m", "/adam_v"))
            next_m = tf.multiply(self.beta_1, m) + tf.multiply(1.0 - self.beta_1, grad)
            next_v = tf.multiply(self.beta_2, v) + tf.multiply(1.0 - self.beta_2, tf.square(grad))
            update = next_m / (tf.sqrt(next_v) + self.epsilon) + self.weight_decay_rate * param
            assignments.extend([param.assign(param - self.learning_rate * update), m.assign(next_m), v.assign(next_v)])
        return tf.group(*assignments, name=name)


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        global_step = tf.compat.v1.train.get_global_step()
        tvars = tf.compat.v1.trainable_variables()
        grads, _ = tf.clip_by_global_norm(tf.gradients(loss, tvars), clip_norm=1.0)
        step = AdamWeightDecayOptimizer(0.1).apply_gradients(zip(grads, tvars), global_step=global_step)
        train_op = tf.group(step, global_step.assign(global_step + 1))  # as BERT: the step is counted here
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
