"""The program's sibling module, imported as BERT's run_classifier imports modeling."""

import tensorflow as tf


def classifier(x, num_labels):
    with tf.compat.v1.variable_scope("classifier"):
        w = tf.compat.v1.get_variable("output_weights", [x.shape[-1], num_labels])
        b = tf.compat.v1.get_variable("output_bias", [num_labels], initializer=tf.compat.v1.zeros_initializer())
    return tf.matmul(x, w) + b
