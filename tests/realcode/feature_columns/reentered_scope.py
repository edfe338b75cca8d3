"""Planted bug: the 'fm' variable scope is entered twice, so the logged 'fm/logit' does not exist.

The embeddings are built under the first entry; the interaction under a second
`variable_scope("fm")`, whose name scope TensorFlow opens as 'fm_1'. The op is 'fm_1/logit', and
the LoggingTensorHook fails with KeyError in begin(), before the first training step.
"""

import tensorflow as tf

from deepfm_lib import columns, deep_part, field_embeddings, fm_interaction, input_fn, params, spec  # noqa: F401

fc = tf.compat.v1.feature_column


def model_fn(features, labels, mode, params):
    wide, embeddings, deep_only = columns(params)
    with tf.compat.v1.variable_scope("linear"):
        linear_logit = fc.linear_model(features, wide)
    with tf.compat.v1.variable_scope("fm"):
        stacked = field_embeddings(features, embeddings)
    with tf.compat.v1.variable_scope("fm"):
        fm_logit = tf.identity(fm_interaction(stacked), name="logit")
    logits = linear_logit + fm_logit + deep_part(features, embeddings, deep_only, params)
    hook = tf.compat.v1.train.LoggingTensorHook({"fm_logit": "fm/logit"}, every_n_iter=1)
    return spec(mode, logits, labels, params, training_hooks=[hook])
