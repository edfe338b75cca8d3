"""A tiny BERT-like encoder under one variable scope, and the warm-start map builder.

Our own code in the style of google-research/bert's modeling.py: embeddings with LayerNorm, one
self-attention layer, a pooler, all from get_variable, and an assignment map built from the
names the graph and the checkpoint share.
"""

import collections
import re

import tensorflow as tf

CONFIG = {"vocab_size": 32, "hidden_size": 16, "num_heads": 2, "intermediate_size": 32,
          "max_position": 8, "type_vocab_size": 2, "initializer_range": 0.02}


def _initializer(config):
    return tf.compat.v1.truncated_normal_initializer(stddev=config["initializer_range"])


def dense(inputs, units, name, config, activation=None):
    with tf.compat.v1.variable_scope(name):
        kernel = tf.compat.v1.get_variable("kernel", [inputs.shape[-1], units],
                                           initializer=_initializer(config))
        bias = tf.compat.v1.get_variable("bias", [units], initializer=tf.compat.v1.zeros_initializer())
        out = tf.tensordot(inputs, kernel, axes=1) + bias
        return activation(out) if activation else out


def layer_norm(inputs, name="LayerNorm"):
    with tf.compat.v1.variable_scope(name):
        size = inputs.shape[-1]
        beta = tf.compat.v1.get_variable("beta", [size], initializer=tf.compat.v1.zeros_initializer())
        gamma = tf.compat.v1.get_variable("gamma", [size], initializer=tf.compat.v1.ones_initializer())
        mean, variance = tf.nn.moments(inputs, axes=[-1], keepdims=True)
        return (inputs - mean) * tf.math.rsqrt(variance + 1e-12) * gamma + beta


def embeddings(input_ids, segment_ids, config):
    with tf.compat.v1.variable_scope("embeddings"):
        hidden = config["hidden_size"]
        word = tf.compat.v1.get_variable("word_embeddings", [config["vocab_size"], hidden],
                                         initializer=_initializer(config))
        token_type = tf.compat.v1.get_variable("token_type_embeddings",
                                               [config["type_vocab_size"], hidden],
                                               initializer=_initializer(config))
        position = tf.compat.v1.get_variable("position_embeddings", [config["max_position"], hidden],
                                             initializer=_initializer(config))
        seq_length = input_ids.shape[1]
        out = (tf.gather(word, input_ids) + tf.gather(token_type, segment_ids)
               + position[:seq_length][tf.newaxis])
        return layer_norm(out)


def attention(x, mask, config, dropout):
    heads, hidden = config["num_heads"], config["hidden_size"]
    size = hidden // heads

    def split(t):  # [B, S, H] -> [B, heads, S, size]
        return tf.transpose(tf.reshape(t, [-1, t.shape[1], heads, size]), [0, 2, 1, 3])

    with tf.compat.v1.variable_scope("self"):
        q, k, v = (split(dense(x, hidden, n, config)) for n in ("query", "key", "value"))
    scores = tf.matmul(q, k, transpose_b=True) / float(size) ** 0.5
    scores += (1.0 - tf.cast(mask, tf.float32))[:, tf.newaxis, tf.newaxis, :] * -10000.0
    context = tf.matmul(tf.nn.dropout(tf.nn.softmax(scores), rate=dropout), v)
    return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [-1, x.shape[1], hidden])


def encoder_layer(x, mask, config, dropout):
    with tf.compat.v1.variable_scope("layer_0"):
        with tf.compat.v1.variable_scope("attention"):
            context = attention(x, mask, config, dropout)
            with tf.compat.v1.variable_scope("output"):
                x = layer_norm(tf.nn.dropout(dense(context, x.shape[-1], "dense", config),
                                             rate=dropout) + x)
        with tf.compat.v1.variable_scope("intermediate"):
            inner = dense(x, config["intermediate_size"], "dense", config, tf.nn.gelu)
        with tf.compat.v1.variable_scope("output"):
            return layer_norm(tf.nn.dropout(dense(inner, x.shape[-1], "dense", config),
                                            rate=dropout) + x)


def bert_encoder(input_ids, input_mask, segment_ids, config, is_training, scope="bert"):
    """The pooled [CLS] output, [batch, hidden]; dropout only while training, as BertModel."""
    dropout = 0.1 if is_training else 0.0
    with tf.compat.v1.variable_scope(scope):
        x = embeddings(input_ids, segment_ids, config)
        with tf.compat.v1.variable_scope("encoder"):
            x = encoder_layer(x, input_mask, config, dropout)
        with tf.compat.v1.variable_scope("pooler"):
            return dense(x[:, 0], config["hidden_size"], "dense", config, tf.tanh)


def get_assignment_map_from_checkpoint(tvars, init_checkpoint):
    """{checkpoint name: graph name} for the trainable variables the checkpoint also has.

    Names are compared as they are: a checkpoint saved under another scope shares none, and the
    map comes back empty without a word.
    """
    graph_names = {re.sub(r":\d+$", "", var.name) for var in tvars}
    assignment_map = collections.OrderedDict()
    initialized = set()
    for name, _ in tf.train.list_variables(init_checkpoint):
        if name in graph_names:
            assignment_map[name] = name
            initialized.add(name)
    return assignment_map, initialized
