"""DeepFM on feature columns, correct: one graph in every mode, the FM scope entered once."""

import tensorflow as tf

from deepfm_lib import columns, deep_part, field_embeddings, fm_interaction, input_fn, params, spec  # noqa: F401

fc = tf.compat.v1.feature_column


def model_fn(features, labels, mode, params):
    wide, embeddings, deep_only = columns(params)
    with tf.compat.v1.variable_scope("linear"):
        linear_logit = fc.linear_model(features, wide)
    with tf.compat.v1.variable_scope("fm"):
        fm_logit = tf.identity(fm_interaction(field_embeddings(features, embeddings)), name="logit")
    logits = linear_logit + fm_logit + deep_part(features, embeddings, deep_only, params)
    hook = tf.compat.v1.train.LoggingTensorHook({"fm_logit": "fm/logit"}, every_n_iter=1)
    return spec(mode, logits, labels, params, training_hooks=[hook])
