"""TF 2.15, graph mode (tf.compat.v1.Session): one shape error per run, chosen by argv[1]."""
import sys

import numpy as np
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
a = tf.compat.v1.placeholder(tf.float32, None, name="features")
b = tf.compat.v1.placeholder(tf.float32, None, name="weights")
ops = {
    "matmul": lambda: tf.matmul(a, b, name="logits"),
    "broadcast": lambda: tf.add(a, b, name="scores"),
    "concat": lambda: tf.concat([a, b], axis=1, name="merged"),
    "reshape": lambda: tf.reshape(a, [4, 5], name="flat"),
}
out = ops[sys.argv[1]]()
with tf.compat.v1.Session() as sess:
    sess.run(out, {a: np.zeros([2, 3]), b: np.zeros([4, 5])})
