"""A clean BERT-style classifier: a small encoder (dropout in training only, as BERT sets the
dropout probability to 0 outside training), and a hand-written Adam with weight decay whose
slots are get_variable('<var>/adam_m'), ('<var>/adam_v') and whose update math is built in the
root scope, after tf.clip_by_global_norm. Nothing here breaks: graphlint should stay quiet."""

import re

import tensorflow as tf

from common import HIDDEN, SEQ, VOCAB, classifier_spec, dense, input_fn  # noqa: F401

params = {"layers": 2, "dropout": 0.1, "lr": 1e-3, "warmup": 10, "steps": 100}


def layer_norm(x, name):
    with tf.compat.v1.variable_scope(name):
        gamma = tf.compat.v1.get_variable("gamma", [HIDDEN], initializer=tf.ones_initializer())
        beta = tf.compat.v1.get_variable("beta", [HIDDEN], initializer=tf.zeros_initializer())
        mean, var = tf.nn.moments(x, axes=[-1], keepdims=True)
        return (x - mean) * tf.math.rsqrt(var + 1e-6) * gamma + beta


def maybe_dropout(x, rate):
    return x if not rate else tf.nn.dropout(x, rate=rate)


def encoder(ids, rate, n_layers):
    with tf.compat.v1.variable_scope("bert"):
        with tf.compat.v1.variable_scope("embeddings"):
            table = tf.compat.v1.get_variable("word_embeddings", [VOCAB, HIDDEN])
            x = layer_norm(maybe_dropout(tf.gather(table, ids), rate), "LayerNorm")
        x = tf.reshape(x, [-1, HIDDEN])
        for i in range(n_layers):
            with tf.compat.v1.variable_scope(f"layer_{i}"):
                h = maybe_dropout(dense(tf.nn.relu(dense(x, 2 * HIDDEN, "intermediate")), HIDDEN, "output"), rate)
                x = layer_norm(x + h, "LayerNorm")
        first = tf.reshape(x, [-1, SEQ, HIDDEN])[:, 0]
        with tf.compat.v1.variable_scope("pooler"):
            return tf.tanh(dense(first, HIDDEN, "dense"))


class AdamWeightDecay(tf.compat.v1.train.Optimizer):
    """Adam with decoupled weight decay; no bias correction, slots made with get_variable."""

    def __init__(self, lr, decay=0.01, beta1=0.9, beta2=0.999, eps=1e-6, name="AdamWeightDecay"):
        super().__init__(False, name)
        self.lr, self.decay, self.beta1, self.beta2, self.eps = lr, decay, beta1, beta2, eps

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        updates = []
        for grad, var in grads_and_vars:
            if grad is None:
                continue
            grad = tf.convert_to_tensor(grad)  # the embedding's gradient is IndexedSlices
            base = re.sub(r":\d+$", "", var.name)
            m = tf.compat.v1.get_variable(base + "/adam_m", var.shape, trainable=False,
                                          initializer=tf.zeros_initializer())
            v = tf.compat.v1.get_variable(base + "/adam_v", var.shape, trainable=False,
                                          initializer=tf.zeros_initializer())
            next_m = self.beta1 * m + (1.0 - self.beta1) * grad
            next_v = self.beta2 * v + (1.0 - self.beta2) * tf.square(grad)
            step = next_m / (tf.sqrt(next_v) + self.eps)
            if "LayerNorm" not in base and "bias" not in base:
                step += self.decay * var
            updates.extend([var.assign(var - self.lr * step), m.assign(next_m), v.assign(next_v)])
        return tf.group(*updates, name=name)


def train_op_fn(params):
    def make(loss):
        global_step = tf.compat.v1.train.get_or_create_global_step()
        lr = tf.compat.v1.train.polynomial_decay(params["lr"], global_step, params["steps"], end_learning_rate=0.0)
        warm = tf.cast(global_step, tf.float32) / params["warmup"]
        lr = tf.where(warm < 1.0, params["lr"] * warm, lr)
        tvars = tf.compat.v1.trainable_variables()
        grads, _ = tf.clip_by_global_norm(tf.gradients(loss, tvars), clip_norm=1.0)
        train_op = AdamWeightDecay(lr).apply_gradients(zip(grads, tvars), global_step=global_step)
        return tf.group(train_op, [global_step.assign(global_step + 1)])
    return make


def model_fn(features, labels, mode, params):
    training = mode == tf.estimator.ModeKeys.TRAIN
    pooled = encoder(features["ids"], params["dropout"] if training else 0.0, params["layers"])
    with tf.compat.v1.variable_scope("cls"):
        logits = dense(maybe_dropout(pooled, params["dropout"] if training else 0.0), 2, "output")
    return classifier_spec(mode, logits, labels, train_op_fn(params))
