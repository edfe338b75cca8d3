"""The MLP as a plain tf.Module (no Keras): each layer an object holding `kernel` [in, out] and `bias`."""
import tensorflow as tf


class Dense(tf.Module):
    def __init__(self, inputs, units, activation=None, transposed=False):
        super().__init__()
        shape = [units, inputs] if transposed else [inputs, units]  # transposed: stored [out, in]
        self.kernel = tf.Variable(tf.random.stateless_normal(shape, seed=[1, units]))
        self.bias = tf.Variable(tf.zeros([units]))
        self.activation, self.transposed = activation, transposed

    def __call__(self, x):
        y = tf.matmul(x, self.kernel, transpose_b=self.transposed) + self.bias
        return self.activation(y) if self.activation else y


class MLP(tf.Module):
    def __init__(self, transposed=False):
        super().__init__()
        self.layers = [Dense(8, 16, tf.nn.relu, transposed), Dense(16, 16, tf.nn.relu), Dense(16, 3)]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def build_model():
    return MLP()


def build_transposed():  # broken: the first kernel declared [out, in], a torch habit
    return MLP(transposed=True)
