"""The CNN as a plain tf.Module: TF's own layouts (HWIO conv kernels, [H, W, C, M] depthwise), batch
norm with its moving statistics, NHWC input as the old model's."""
import tensorflow as tf


def _variable(shape, seed):
    return tf.Variable(tf.random.stateless_normal(shape, seed=[2, seed]))


class Conv(tf.Module):
    def __init__(self, shape, depthwise=False):
        super().__init__()
        self.kernel = _variable(shape, len(shape) + shape[-1])  # depthwise: [H, W, C, multiplier]
        self.bias = tf.Variable(tf.zeros([shape[-2] * shape[-1] if depthwise else shape[-1]]))
        self.depthwise = depthwise

    def __call__(self, x):
        conv = tf.nn.depthwise_conv2d if self.depthwise else tf.nn.conv2d
        return tf.nn.bias_add(conv(x, self.kernel, [1, 1, 1, 1], "VALID"), self.bias)


class BatchNorm(tf.Module):
    def __init__(self, width, epsilon=1e-3):
        super().__init__()
        self.gamma = tf.Variable(tf.ones([width]))
        self.beta = tf.Variable(tf.zeros([width]))
        self.moving_mean = tf.Variable(tf.zeros([width]), trainable=False)
        self.moving_variance = tf.Variable(tf.ones([width]), trainable=False)
        self.epsilon = epsilon

    def __call__(self, x):  # inference: the moving statistics
        return tf.nn.batch_normalization(x, self.moving_mean, self.moving_variance, self.beta, self.gamma,
                                         self.epsilon)


class Dense(tf.Module):
    def __init__(self, inputs, units):
        super().__init__()
        self.kernel = _variable([inputs, units], units)
        self.bias = tf.Variable(tf.zeros([units]))

    def __call__(self, x):
        return tf.matmul(x, self.kernel) + self.bias


class CNN(tf.Module):
    def __init__(self):
        super().__init__()
        self.conv = Conv([3, 3, 3, 4])
        self.bn = BatchNorm(4)
        self.depthwise = Conv([3, 3, 4, 1], depthwise=True)
        self.head = Dense(4, 3)

    def __call__(self, x):
        h = tf.nn.relu(self.bn(self.conv(x)))
        h = tf.nn.relu(self.depthwise(h))
        return self.head(tf.reduce_mean(h, [1, 2]))


def build_model():
    return CNN()
