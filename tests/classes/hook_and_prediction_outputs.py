"""Names one mode builds for its own consumers, decided by structure: in TRAIN, tf.identity
tensors named for a LoggingTensorHook ('hook-output' when the hook fetches them and nothing in
the graph reads them); in PREDICT, probabilities computed only for the predictions
('prediction'). params turn each into a real difference: the identity without its hook, an
identity the loss also reads, and a PREDICT-only layer feeding the predictions."""

import tensorflow as tf

from common import HIDDEN, dense, input_fn  # noqa: F401

params = {"hook": True, "loss_reads_it": False, "predict_layer": False}


def model_fn(features, labels, mode, params):
    x = tf.one_hot(features["ids"][:, 0], HIDDEN)
    logits = dense(x, 2, "logits")
    if mode == tf.estimator.ModeKeys.PREDICT:
        hidden = dense(logits, 2, "predict_layer") if params["predict_layer"] else logits
        predictions = {"classes": tf.argmax(logits, axis=-1), "probabilities": tf.nn.softmax(hidden)}
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
    if mode == tf.estimator.ModeKeys.EVAL:
        return tf.estimator.EstimatorSpec(mode, loss=loss)
    logged = tf.identity(loss, name="cross_entropy")
    if params["loss_reads_it"]:
        loss += 0.0 * logged
    hooks = [tf.compat.v1.train.LoggingTensorHook({"xent": "cross_entropy"}, every_n_iter=1)] if params["hook"] else []
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
        loss, global_step=tf.compat.v1.train.get_or_create_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, training_hooks=hooks)
