"""A BERT-style TPUEstimator model (written for these tests, after run_classifier.py's shape):
model_fn_builder returns a closure that warm-starts `bert/` from a pretrained checkpoint in its
scaffold_fn, reports eval_metrics=(metric_fn, tensors) and a host_call, and returns a
tf.compat.v1.estimator.tpu.TPUEstimatorSpec; input_fn_builder's input_fn reads params["batch_size"].
"""

import numpy as np
import tensorflow as tf

VOCAB, WIDTH, SEQ = 10, 4, 3


def write_pretrained(folder):
    """A 'pretrained' checkpoint with bert/embeddings/word_embeddings and bert/encoder/kernel."""
    with tf.Graph().as_default():
        _encoder(tf.zeros([1, SEQ], tf.int32))
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            return saver.save(session, f"{folder}/pretrained.ckpt")


def _encoder(input_ids):
    with tf.compat.v1.variable_scope("bert"):
        table = tf.compat.v1.get_variable("embeddings/word_embeddings", [VOCAB, WIDTH])
        kernel = tf.compat.v1.get_variable("encoder/kernel", [WIDTH, WIDTH])
    pooled = tf.reduce_mean(tf.nn.embedding_lookup(table, input_ids), axis=1)
    return tf.tanh(tf.matmul(pooled, kernel))


def assignment_map(init_checkpoint, prefix=""):
    """{checkpoint name: variable name} for the trainable variables the checkpoint also has
    (as BERT's get_assignment_map_from_checkpoint); `prefix` renames the checkpoint side."""
    in_ckpt = {name for name, _ in tf.train.list_variables(init_checkpoint)}
    names = [v.op.name for v in tf.compat.v1.trainable_variables()]
    return {prefix + n: n for n in names if n in in_ckpt}


def model_fn_builder(init_checkpoint, learning_rate=0.1, map_prefix="", seen_params=None):
    def model_fn(features, labels, mode, params):
        if seen_params is not None:
            seen_params[mode] = dict(params)
        pooled = _encoder(features["input_ids"])
        output_weights = tf.compat.v1.get_variable("output_weights", [WIDTH, 2])
        logits = tf.matmul(pooled, output_weights)
        amap = assignment_map(init_checkpoint, map_prefix)

        def scaffold_fn():
            tf.compat.v1.train.init_from_checkpoint(init_checkpoint, amap)
            return tf.compat.v1.train.Scaffold()

        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.compat.v1.estimator.tpu.TPUEstimatorSpec(
                mode, predictions={"probabilities": tf.nn.softmax(logits)}, scaffold_fn=scaffold_fn)
        loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels, logits)
        if mode == tf.estimator.ModeKeys.EVAL:
            def metric_fn(label_ids, logits):
                predictions = tf.argmax(logits, axis=-1, output_type=tf.int32)
                return {"eval_accuracy": tf.compat.v1.metrics.accuracy(label_ids, predictions)}

            return tf.compat.v1.estimator.tpu.TPUEstimatorSpec(
                mode, loss=loss, eval_metrics=(metric_fn, [labels, logits]), scaffold_fn=scaffold_fn)
        step = tf.compat.v1.train.get_global_step()
        train_op = tf.compat.v1.train.GradientDescentOptimizer(learning_rate).minimize(loss, global_step=step)

        def host_fn(step, loss):
            return [tf.identity(loss[0], name="host_loss"), tf.identity(step[0], name="host_step")]

        return tf.compat.v1.estimator.tpu.TPUEstimatorSpec(
            mode, loss=loss, train_op=train_op, scaffold_fn=scaffold_fn,
            host_call=(host_fn, [tf.reshape(step, [1]), tf.reshape(loss, [1])]))

    return model_fn


def input_fn_builder():
    def input_fn(params):
        ids = np.arange(8 * SEQ, dtype="int32").reshape(8, SEQ) % VOCAB
        labels = (ids[:, 0] % 2).astype("int32")
        data = tf.data.Dataset.from_tensor_slices(({"input_ids": ids}, labels)).repeat()
        return data.batch(params["batch_size"], drop_remainder=True)

    return input_fn
