import numpy as np
import tensorflow as tf


def input_fn(params):
    x = np.zeros((4, 2), "float32")
    return tf.data.Dataset.from_tensor_slices(({"x": x}, x[:, :1])).batch(2)
