"""Pieces of a tf-slim image classifier: a small net under arg_scope with batch norm.

Our own code in the style of tf-slim's nets and train_image_classifier: conv and
fully-connected layers share batch norm and weight decay through arg_scope, and batch norm
trains only when is_training=(mode == TRAIN).

tf_slim 1.1's batch_norm needs tf-keras on TF 2.15 and later: on rank-4 inputs it delegates to
the Keras layer class (which imports tf_keras), and its own fused path, used on rank-2 inputs,
reads `ops.Tensor`, which TF 2.15 no longer has. Where tf-keras is absent these models cannot
be built, and the tests skip them.
"""

import numpy as np
import tensorflow as tf
import tf_slim as slim

params = {"batch_size": 8, "num_classes": 5, "learning_rate": 0.01, "weight_decay": 1e-4}

NUM_EXAMPLES = 32


def input_fn(params):
    rng = np.random.RandomState(0)
    # Pixels in [0, 1): batch norm's moving mean moves away from zero after one update.
    images = rng.rand(NUM_EXAMPLES, 16, 16, 3).astype("float32")
    labels = rng.randint(0, params["num_classes"], size=NUM_EXAMPLES).astype("int64")
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    return dataset.repeat().batch(params["batch_size"], drop_remainder=True)


def net_arg_scope(weight_decay, is_training):
    batch_norm_params = {"is_training": is_training, "decay": 0.9, "epsilon": 1e-3}
    with slim.arg_scope([slim.conv2d, slim.fully_connected],
                        weights_regularizer=slim.l2_regularizer(weight_decay),
                        normalizer_fn=slim.batch_norm, normalizer_params=batch_norm_params):
        with slim.arg_scope([slim.conv2d], padding="SAME") as scope:
            return scope


def tiny_net(images, num_classes, scope="tiny_net"):
    with tf.compat.v1.variable_scope(scope, "tiny_net", [images]):
        net = slim.conv2d(images, 8, [3, 3], scope="conv1")
        net = slim.max_pool2d(net, [2, 2], scope="pool1")
        net = slim.conv2d(net, 16, [3, 3], scope="conv2")
        net = slim.flatten(net)
        net = slim.fully_connected(net, 16, scope="fc3")
        return slim.fully_connected(net, num_classes, activation_fn=None, normalizer_fn=None,
                                    scope="logits")


def logits_and_loss(images, labels, mode, params):
    """The net in this mode, and (in TRAIN and EVAL) the total loss, regularization included."""
    is_training = mode == tf.estimator.ModeKeys.TRAIN
    with slim.arg_scope(net_arg_scope(params["weight_decay"], is_training)):
        logits = tiny_net(images, params["num_classes"])
    if labels is None:
        return logits, None
    tf.compat.v1.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    return logits, tf.compat.v1.losses.get_total_loss()


def spec(mode, logits, loss, labels, train_op=None):
    predictions = tf.argmax(logits, axis=1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"classes": predictions})
    metrics = None
    if mode == tf.estimator.ModeKeys.EVAL:
        metrics = {"accuracy": tf.compat.v1.metrics.accuracy(labels, predictions)}
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, eval_metric_ops=metrics)
