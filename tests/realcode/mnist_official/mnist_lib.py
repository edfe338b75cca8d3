"""Pieces of an official-r1-style MNIST estimator: synthetic digits and a small convnet.

Written in the style of tensorflow/models official/r1/mnist (our own code): a model built from
plain graph ops, the data made in memory so the corpus needs no download.
"""

import numpy as np
import tensorflow as tf

params = {"batch_size": 8, "learning_rate": 1e-3}

NUM_EXAMPLES = 32
# The names LoggingTensorHook looks up; model_fn gives them to tf.identity in TRAIN only.
TENSORS_TO_LOG = {"learning_rate": "learning_rate", "cross_entropy": "cross_entropy",
                  "train_accuracy": "train_accuracy"}


def input_fn(params):
    rng = np.random.RandomState(0)
    images = rng.rand(NUM_EXAMPLES, 28, 28, 1).astype("float32")
    labels = rng.randint(0, 10, size=NUM_EXAMPLES).astype("int32")
    dataset = tf.data.Dataset.from_tensor_slices(({"image": images}, labels))
    return dataset.repeat().batch(params["batch_size"], drop_remainder=True)


def _conv(inputs, filters, name):
    with tf.compat.v1.variable_scope(name):
        kernel = tf.compat.v1.get_variable("kernel", [5, 5, inputs.shape[-1], filters])
        bias = tf.compat.v1.get_variable("bias", [filters], initializer=tf.compat.v1.zeros_initializer())
        conv = tf.nn.relu(tf.nn.conv2d(inputs, kernel, strides=1, padding="SAME") + bias)
        return tf.nn.max_pool2d(conv, ksize=2, strides=2, padding="SAME")


def _dense(inputs, units, name):
    with tf.compat.v1.variable_scope(name):
        kernel = tf.compat.v1.get_variable("kernel", [inputs.shape[-1], units])
        bias = tf.compat.v1.get_variable("bias", [units], initializer=tf.compat.v1.zeros_initializer())
        return tf.matmul(inputs, kernel) + bias


def create_model(image, training):
    """Two conv/pool blocks, dropout while training only, ten logits."""
    net = _conv(image, 8, "conv1")
    net = _conv(net, 16, "conv2")
    net = tf.reshape(net, [-1, 7 * 7 * 16])
    net = tf.nn.relu(_dense(net, 32, "dense1"))
    if training:
        net = tf.nn.dropout(net, rate=0.4)
    return _dense(net, 10, "logits")


def train_spec(image, labels, params, **hooks):
    """The TRAIN branch, as the official model_fn writes it: the logged names exist only here."""
    logits = create_model(image, training=True)
    learning_rate = params["learning_rate"]
    loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    accuracy = tf.compat.v1.metrics.accuracy(labels=labels, predictions=tf.argmax(logits, axis=1))
    tf.identity(learning_rate, name="learning_rate")
    tf.identity(loss, name="cross_entropy")
    tf.identity(accuracy[1], name="train_accuracy")
    tf.compat.v1.summary.scalar("train_accuracy", accuracy[1])
    optimizer = tf.compat.v1.train.AdamOptimizer(learning_rate=learning_rate)
    train_op = optimizer.minimize(loss, tf.compat.v1.train.get_or_create_global_step())
    return tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.TRAIN, loss=loss, train_op=train_op,
                                      **hooks)


def predict_spec(image):
    logits = create_model(image, training=False)
    predictions = {"classes": tf.argmax(logits, axis=1), "probabilities": tf.nn.softmax(logits)}
    return tf.estimator.EstimatorSpec(
        tf.estimator.ModeKeys.PREDICT, predictions=predictions,
        export_outputs={"classify": tf.estimator.export.PredictOutput(predictions)})


def eval_spec(image, labels, **hooks):
    logits = create_model(image, training=False)
    loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    metrics = {"accuracy": tf.compat.v1.metrics.accuracy(labels=labels,
                                                         predictions=tf.argmax(logits, axis=1))}
    return tf.estimator.EstimatorSpec(tf.estimator.ModeKeys.EVAL, loss=loss,
                                      eval_metric_ops=metrics, **hooks)
