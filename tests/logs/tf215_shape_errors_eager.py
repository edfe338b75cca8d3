"""TF 2.15, eager: each of the four shape errors, tracebacks printed as an uncaught one would be."""
import traceback

import tensorflow as tf

x, y = tf.zeros([2, 3]), tf.zeros([4, 5])
for run in (lambda: tf.matmul(x, y), lambda: x + y, lambda: tf.concat([x, y], axis=1),
            lambda: tf.reshape(x, [4, 5])):
    try:
        run()
    except tf.errors.InvalidArgumentError:
        traceback.print_exc()
