"""Imported by every fleet model: a model loaded in the same process as another would see
IMPORTS == 2 and refuse to build. Also the models' common body."""

import tensorflow as tf

IMPORTS = 0


def input_fn(params):
    return {"x": tf.ones([2, 4])}, tf.ones([2, 1])


def linear_spec(features, labels, mode, var_name):
    w = tf.compat.v1.get_variable(var_name, [4, 1])
    logits = tf.matmul(features["x"], w)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"p": logits})
    loss = tf.reduce_mean(tf.square(logits - labels))
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
        loss, global_step=tf.compat.v1.train.get_or_create_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def register(name: str):
    """Called at a model's import: counts it, and returns its model_fn, which prints while it
    builds and refuses to build when another model was imported into this process before it."""
    global IMPORTS
    IMPORTS += 1
    seen = IMPORTS

    def model_fn(features, labels, mode, params):
        print(f"model_{name} building {mode} (imports seen: {seen})")
        if seen != 1:
            raise RuntimeError(f"model_{name} saw another model's state")
        return linear_spec(features, labels, mode, f"w_{name}")

    return model_fn
