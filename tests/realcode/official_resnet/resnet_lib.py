"""Pieces of an official-r1-resnet-style estimator: a tiny residual net with batch norm.

Our own code in the style of tensorflow/models official/r1/resnet: tf.compat.v1.layers conv
and batch_normalization with training=(mode == TRAIN). Batch norm's moving-average updates land
in UPDATE_OPS; resnet_run_loop groups them with the minimize op. tf.compat.v1.layers needs
tf-keras on TF 2.16+.
"""

import numpy as np
import tensorflow as tf

params = {"batch_size": 8, "num_classes": 4, "learning_rate": 0.05}

NUM_EXAMPLES = 32
BATCH_NORM_DECAY = 0.9


def input_fn(params):
    rng = np.random.RandomState(0)
    # Pixels in [0, 1): after one update the moving mean is no longer zero.
    images = rng.rand(NUM_EXAMPLES, 8, 8, 3).astype("float32")
    labels = rng.randint(0, params["num_classes"], size=NUM_EXAMPLES).astype("int32")
    dataset = tf.data.Dataset.from_tensor_slices((images, labels))
    return dataset.repeat().batch(params["batch_size"], drop_remainder=True)


def batch_norm(inputs, training):
    return tf.compat.v1.layers.batch_normalization(inputs, momentum=BATCH_NORM_DECAY,
                                                   training=training, fused=True)


def building_block(inputs, filters, training):
    shortcut = inputs
    net = tf.nn.relu(batch_norm(inputs, training))
    net = tf.compat.v1.layers.conv2d(net, filters, 3, padding="same", use_bias=False)
    net = tf.nn.relu(batch_norm(net, training))
    net = tf.compat.v1.layers.conv2d(net, filters, 3, padding="same", use_bias=False)
    return net + shortcut


def tiny_resnet(images, num_classes, training):
    with tf.compat.v1.variable_scope("resnet_model"):
        net = tf.compat.v1.layers.conv2d(images, 8, 3, padding="same", use_bias=False)
        net = building_block(net, 8, training)
        net = tf.nn.relu(batch_norm(net, training))
        net = tf.reduce_mean(net, axis=[1, 2])
        return tf.compat.v1.layers.dense(net, num_classes)


def spec(mode, logits, labels, params, minimize):
    """The resnet_model_fn head; `minimize(optimizer, loss, global_step)` makes the train op."""
    predictions = {"classes": tf.argmax(logits, axis=1), "probabilities": tf.nn.softmax(logits)}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)
    loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    if mode == tf.estimator.ModeKeys.EVAL:
        metrics = {"accuracy": tf.compat.v1.metrics.accuracy(labels, predictions["classes"])}
        return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops=metrics)
    global_step = tf.compat.v1.train.get_or_create_global_step()
    optimizer = tf.compat.v1.train.MomentumOptimizer(params["learning_rate"], momentum=0.9)
    return tf.estimator.EstimatorSpec(mode, loss=loss,
                                      train_op=minimize(optimizer, loss, global_step))
