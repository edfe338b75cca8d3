"""A two-tower recommender fine-tuned from an older checkpoint (params["old"]) whose towers were
named item_tower/ and user_tower/; this code calls them two_tower/item and two_tower/user. The
warm-start map is built from the names both share (empty), as many teams' helpers build it.
Written after the rename pairing was rebuilt, as a new user's model (issue 20)."""
import numpy as np
import tensorflow as tf

v1 = tf.compat.v1
params = {"units": 8, "old": ""}


def input_fn(params):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 8)).astype("float32")
    y = (rng.random(size=(32, 1)) > 0.5).astype("float32")
    return tf.data.Dataset.from_tensor_slices(({"x": x}, y)).repeat().batch(4)


def tower(x, units):
    h = v1.layers.dense(x, units, activation=tf.nn.relu, name="dense")
    return v1.layers.dense(h, units, name="dense_1")


def towers(x, units, names=("two_tower/item", "two_tower/user")):
    outs = []
    for name in names:
        with v1.variable_scope(name):
            outs.append(tower(x, units))
    return outs


def model_fn(features, labels, mode, params):
    item, user = towers(features["x"], params["units"])
    logits = tf.reduce_sum(item * user, axis=1, keepdims=True)
    shared = {n for n, _ in tf.train.list_variables(params["old"])}
    v1.train.init_from_checkpoint(params["old"], {v.op.name: v.op.name for v in v1.trainable_variables()
                                                  if v.op.name in shared})
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = v1.losses.sigmoid_cross_entropy(labels, logits)
    step = v1.train.get_or_create_global_step()
    train_op = v1.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
