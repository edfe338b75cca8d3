"""The one model every checkpoint scenario trains and checks: params choose its variables.

A scenario's writer is this model trained with some params; its reader is this model with
other params, checked by graphlint and restored by TensorFlow (tests/realtf/restore.py).
"""

import contextlib

import numpy as np
import tensorflow as tf

DEFAULTS = {
    "scope": "model",            # top variable scope: model/w, model/b, model/emb
    "units": 3,                  # columns of w, b and emb; also the depth of the one-hot labels
    "vocab": 10,                 # rows of emb (the ids fed are 0..9)
    "dtype": "float32",          # dtype of w and b
    "use_resource": True,        # False: TF1 reference variables
    "partitions": 0,             # > 0: emb is split by fixed_size_partitioner(partitions)
    "devices": False,            # True: w and b on /cpu:0, emb on /cpu:1 (a sharded save: 2 shards)
    "table": None,               # name of a MutableHashTable word -> id, filled by train_op
    "table_dtype": "int64",      # the table's value dtype
    "eval_only": False,          # a saved variable model/eval_count created only in EVAL/PREDICT
    "extra": False,              # one more saved variable, model/extra
    "saver_skips_extra": False,  # scaffold Saver over every global variable except model/extra
    "warm_start": None,          # {"path": checkpoint, "map": assignment_map}: init_from_checkpoint
}
params = dict(DEFAULTS)


def input_fn(params):
    x = np.linspace(0.0, 1.0, 32, dtype="float32").reshape(8, 4)
    ids = np.arange(8, dtype="int64")
    words = np.array([b"a", b"b", b"c", b"d"] * 2)
    y = np.arange(8, dtype="int32") % 3
    return tf.data.Dataset.from_tensor_slices(({"x": x, "id": ids, "word": words}, y)).repeat().batch(4)


def _device(p, name):
    return tf.device(name) if p["devices"] else contextlib.nullcontext()


def model_fn(features, labels, mode, params):
    p = dict(DEFAULTS, **params)
    v1 = tf.compat.v1
    keys = tf.estimator.ModeKeys
    dtype = tf.as_dtype(p["dtype"])
    partitioner = v1.fixed_size_partitioner(p["partitions"]) if p["partitions"] else None
    with v1.variable_scope(p["scope"], use_resource=p["use_resource"]):
        with _device(p, "/cpu:0"):
            w = v1.get_variable("w", [4, p["units"]], dtype)
            b = v1.get_variable("b", [p["units"]], dtype, initializer=v1.zeros_initializer())
        with _device(p, "/cpu:1"):
            emb = v1.get_variable("emb", [p["vocab"], p["units"]], partitioner=partitioner)
        extra = v1.get_variable("extra", [p["units"]]) if p["extra"] else None
        count = None
        if p["eval_only"] and mode != keys.TRAIN:
            count = v1.get_variable("eval_count", [], trainable=False, initializer=v1.zeros_initializer())
    if p["warm_start"]:
        v1.train.init_from_checkpoint(p["warm_start"]["path"], p["warm_start"]["map"])

    logits = tf.cast(tf.matmul(tf.cast(features["x"], dtype), w) + b, tf.float32)
    logits += v1.nn.embedding_lookup(emb, features["id"], partition_strategy="div")
    if extra is not None:
        logits += extra
    if count is not None:
        logits += count
    predictions = {"logits": logits, "class": tf.argmax(logits, 1)}
    table = None
    if p["table"]:
        table = tf.lookup.experimental.MutableHashTable(
            tf.string, tf.as_dtype(p["table_dtype"]), -1, name=p["table"])
        predictions["word_id"] = table.lookup(features["word"])

    if mode == keys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions, scaffold=_scaffold(p))
    loss = v1.losses.softmax_cross_entropy(tf.one_hot(labels, p["units"]), logits)
    train_op = None
    if mode == keys.TRAIN:
        train_op = v1.train.MomentumOptimizer(0.01, 0.9).minimize(loss, global_step=v1.train.get_global_step())
        if table is not None:
            ids = tf.cast(features["id"], tf.as_dtype(p["table_dtype"]))
            train_op = tf.group(train_op, table.insert(features["word"], ids))
    metrics = {"accuracy": v1.metrics.accuracy(labels, predictions["class"])}
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, eval_metric_ops=metrics,
                                      scaffold=_scaffold(p))


def _scaffold(p):
    if not p["saver_skips_extra"]:
        return None
    skip = p["scope"] + "/extra"
    var_list = [v for v in tf.compat.v1.global_variables() if not v.op.name.startswith(skip)]
    return tf.compat.v1.train.Scaffold(saver=tf.compat.v1.train.Saver(var_list, sharded=True))
