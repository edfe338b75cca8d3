"""Planted bug: an impressions counter created with get_variable in EVAL only.

It is a global variable, so the EVAL Saver restores it, but TRAIN never created it: evaluation
fails at restore with NotFoundError (key 'eval_stats/impressions').
"""

import tensorflow as tf

from deepfm_lib import columns, deep_part, field_embeddings, fm_interaction, input_fn, params, spec  # noqa: F401

fc = tf.compat.v1.feature_column


def model_fn(features, labels, mode, params):
    wide, embeddings, deep_only = columns(params)
    with tf.compat.v1.variable_scope("linear"):
        linear_logit = fc.linear_model(features, wide)
    with tf.compat.v1.variable_scope("fm"):
        fm_logit = fm_interaction(field_embeddings(features, embeddings))
    logits = linear_logit + fm_logit + deep_part(features, embeddings, deep_only, params)
    extra = {}
    if mode == tf.estimator.ModeKeys.EVAL:
        with tf.compat.v1.variable_scope("eval_stats"):
            impressions = tf.compat.v1.get_variable(
                "impressions", [], initializer=tf.compat.v1.zeros_initializer(), trainable=False)
        count = tf.compat.v1.assign_add(impressions, tf.cast(tf.shape(logits)[0], tf.float32))
        extra["eval_metric_ops"] = {"impressions": (impressions.read_value(), count)}
    return spec(mode, logits, labels, params, **extra)
