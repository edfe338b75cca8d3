"""Pieces of a DeepFM / wide-and-deep click model built on v1 feature columns.

Our own code in the style of deepctr and the wide-and-deep tutorials: a linear part from
`linear_model` over bucketized, hashed and crossed columns, an FM part and a DNN over embedding
columns. The dense layers use get_variable, so the models also build on TF 2.16+ without tf-keras.
"""

import numpy as np
import tensorflow as tf

fc = tf.compat.v1.feature_column

params = {"batch_size": 8, "hash_buckets": 20, "embedding_dim": 4, "hidden_units": [8, 4],
          "learning_rate": 0.01}

NUM_EXAMPLES = 32
CITIES = ["paris", "lyon", "lille", "nice", "brest"]
DEVICES = ["ios", "android", "web"]


def input_fn(params):
    rng = np.random.RandomState(0)
    features = {
        "age": rng.randint(18, 70, size=(NUM_EXAMPLES, 1)).astype("float32"),
        "clicks": rng.rand(NUM_EXAMPLES, 1).astype("float32"),
        "city": rng.choice(CITIES, size=(NUM_EXAMPLES, 1)),
        "device": rng.choice(DEVICES, size=(NUM_EXAMPLES, 1)),
    }
    labels = (features["clicks"] > 0.5).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices((features, labels))
    return dataset.repeat().batch(params["batch_size"], drop_remainder=True)


def columns(params):
    """(wide columns, one embedding column per field, deep-only columns)."""
    age = fc.bucketized_column(fc.numeric_column("age"), boundaries=[25, 35, 45, 55])
    city = fc.categorical_column_with_hash_bucket("city", params["hash_buckets"])
    device = fc.categorical_column_with_vocabulary_list("device", DEVICES)
    age_x_city = fc.crossed_column([age, "city"], hash_bucket_size=params["hash_buckets"])
    wide = [age, city, device, age_x_city]
    dim = params["embedding_dim"]
    embeddings = [fc.embedding_column(column, dim) for column in (age, city, device)]
    return wide, embeddings, [fc.numeric_column("clicks")]


def dense(inputs, units, name, activation=tf.nn.relu):
    with tf.compat.v1.variable_scope(name):
        kernel = tf.compat.v1.get_variable("kernel", [inputs.shape[-1], units])
        bias = tf.compat.v1.get_variable("bias", [units], initializer=tf.compat.v1.zeros_initializer())
        out = tf.matmul(inputs, kernel) + bias
        return activation(out) if activation else out


def fm_interaction(field_embeddings):
    """Second-order FM term over [batch, fields, dim]: 0.5 * ((sum v)^2 - sum v^2)."""
    summed = tf.reduce_sum(field_embeddings, axis=1)
    squared = tf.reduce_sum(tf.square(field_embeddings), axis=1)
    return 0.5 * tf.reduce_sum(tf.square(summed) - squared, axis=1, keepdims=True)


def deep_part(features, embeddings, deep_only, params):
    with tf.compat.v1.variable_scope("dnn"):
        net = fc.input_layer(features, embeddings + deep_only)
        for i, units in enumerate(params["hidden_units"]):
            net = dense(net, units, "hiddenlayer_%d" % i)
        return dense(net, 1, "logits", activation=None)


def field_embeddings(features, embeddings):
    """[batch, fields, dim]: input_layer once per field, as DeepFM implementations do."""
    return tf.stack([fc.input_layer(features, [column]) for column in embeddings], axis=1)


def spec(mode, logits, labels, params, **kwargs):
    """Head: sigmoid loss, Adam, AUC; PREDICT returns probabilities."""
    probabilities = tf.sigmoid(logits)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"probabilities": probabilities}, **kwargs)
    loss = tf.compat.v1.losses.sigmoid_cross_entropy(labels, logits)
    if mode == tf.estimator.ModeKeys.EVAL:
        metrics = dict(kwargs.pop("eval_metric_ops", {}))
        metrics["auc"] = tf.compat.v1.metrics.auc(labels, probabilities)
        return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops=metrics, **kwargs)
    optimizer = tf.compat.v1.train.AdamOptimizer(params["learning_rate"])
    train_op = optimizer.minimize(loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, **kwargs)
