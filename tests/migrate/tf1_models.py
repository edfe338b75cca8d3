"""Old models in TF1 style (tf.compat.v1 graph mode, variable_scope + get_variable + tf.nn ops), each
trained for real with Adam so its checkpoint has optimizer slots, and saved by a name-based Saver.

The variables are named as tf.compat.v1.layers names them (dense/kernel, batch_normalization/gamma,
rnn/lstm_cell/kernel, ...): tf.compat.v1.layers and tf.compat.v1.nn.rnn_cell need tf-keras on
TensorFlow 2.16+, which the Keras 3 environment does not have, so the layers are written with
get_variable and tf.nn ops. The LSTM cell computes what TF1's LSTMCell computes (gates i, j, f, o;
forget_bias 1.0); test_migrate_lstm_cell.py checks that against the real cell where it exists.
"""

from __future__ import annotations

import numpy as np

from graphlint.model.tfcompat import tf as _tf

BATCH = 6
SEED = 7
STEPS = 5


def _v1():
    return _tf().compat.v1


def dense(x, units, name, activation=None):
    v1 = _v1()
    with v1.variable_scope(name):
        kernel = v1.get_variable("kernel", [int(x.shape[-1]), units], initializer=v1.glorot_uniform_initializer())
        bias = v1.get_variable("bias", [units], initializer=v1.random_normal_initializer(stddev=0.1))
    y = v1.nn.xw_plus_b(x, kernel, bias)
    return activation(y) if activation else y


def batch_norm(x, training, name, moving=True, epsilon=1e-3, momentum=0.9):
    """tf.compat.v1.layers.batch_normalization's variables and math; moving=False: the model always
    normalizes with the batch's own statistics and keeps no moving statistics."""
    tf, v1 = _tf(), _v1()
    width, axes = int(x.shape[-1]), list(range(len(x.shape) - 1))  # statistics over every axis but the channels'
    with v1.variable_scope(name):
        gamma = v1.get_variable("gamma", [width], initializer=v1.random_uniform_initializer(0.5, 1.5))
        beta = v1.get_variable("beta", [width], initializer=v1.random_normal_initializer(stddev=0.1))
        if not moving:
            mean, var = tf.nn.moments(x, axes)
            return tf.nn.batch_normalization(x, mean, var, beta, gamma, epsilon)
        mm = v1.get_variable("moving_mean", [width], initializer=v1.zeros_initializer(), trainable=False)
        mv = v1.get_variable("moving_variance", [width], initializer=v1.ones_initializer(), trainable=False)
    if training:
        mean, var = tf.nn.moments(x, axes)
        for moving_value, value in ((mm, mean), (mv, var)):
            v1.add_to_collection(v1.GraphKeys.UPDATE_OPS, v1.assign_sub(moving_value, (moving_value - value) * (1 - momentum)))
        return tf.nn.batch_normalization(x, mean, var, beta, gamma, epsilon)
    return tf.nn.batch_normalization(x, mm, mv, beta, gamma, epsilon)


def lstm(inputs, units, scope="rnn/lstm_cell", forget_bias=1.0):
    """TF1 LSTMCell unrolled over inputs [batch, time, features]: the last step's output."""
    tf, v1 = _tf(), _v1()
    features = int(inputs.shape[-1])
    with v1.variable_scope(scope):
        kernel = v1.get_variable("kernel", [features + units, 4 * units], initializer=v1.glorot_uniform_initializer())
        bias = v1.get_variable("bias", [4 * units], initializer=v1.random_normal_initializer(stddev=0.1))
    h = c = tf.zeros([tf.shape(inputs)[0], units])
    for t in range(int(inputs.shape[1])):
        gates = tf.matmul(tf.concat([inputs[:, t], h], 1), kernel) + bias
        i, j, f, o = tf.split(gates, 4, axis=1)
        c = c * tf.sigmoid(f + forget_bias) + tf.sigmoid(i) * tf.tanh(j)
        h = tf.tanh(c) * tf.sigmoid(o)
    return h


def gru(inputs, units, scope="rnn/gru_cell"):
    """TF1 GRUCell unrolled over inputs [batch, time, features]: the last step's output. The reset
    gate multiplies the state before the candidate's product: (r * h) @ U."""
    tf, v1 = _tf(), _v1()
    features = int(inputs.shape[-1])
    with v1.variable_scope(scope):
        with v1.variable_scope("gates"):
            gates_kernel = v1.get_variable("kernel", [features + units, 2 * units],
                                           initializer=v1.glorot_uniform_initializer())
            gates_bias = v1.get_variable("bias", [2 * units], initializer=v1.constant_initializer(1.0))
        with v1.variable_scope("candidate"):
            kernel = v1.get_variable("kernel", [features + units, units], initializer=v1.glorot_uniform_initializer())
            bias = v1.get_variable("bias", [units], initializer=v1.zeros_initializer())
    h = tf.zeros([tf.shape(inputs)[0], units])
    for t in range(int(inputs.shape[1])):
        r, u = tf.split(tf.sigmoid(tf.matmul(tf.concat([inputs[:, t], h], 1), gates_kernel) + gates_bias), 2, axis=1)
        c = tf.tanh(tf.matmul(tf.concat([inputs[:, t], r * h], 1), kernel) + bias)
        h = u * h + (1 - u) * c
    return h


def dense_seq(x, units, name, activation=None):
    """A dense layer on [batch, seq, features], as bert's modeling.py applies one: flattened to 2-D
    and back."""
    tf = _tf()
    seq, width = int(x.shape[1]), int(x.shape[-1])
    y = tf.reshape(dense(tf.reshape(x, [-1, width]), units, name), [-1, seq, units])
    return activation(y) if activation else y


def layer_norm(x, name, epsilon=1e-12):
    """tf.contrib.layers.layer_norm over the last axis as bert calls it (variables LayerNorm/beta and
    LayerNorm/gamma; bert's epsilon 1e-12)."""
    tf, v1 = _tf(), _v1()
    width = int(x.shape[-1])
    with v1.variable_scope(name):
        beta = v1.get_variable("beta", [width], initializer=v1.random_normal_initializer(stddev=0.1))
        gamma = v1.get_variable("gamma", [width], initializer=v1.random_uniform_initializer(0.5, 1.5))
    mean, variance = tf.nn.moments(x, [-1], keepdims=True)
    return tf.nn.batch_normalization(x, mean, variance, beta, gamma, epsilon)


D_MODEL, HEADS, SEQ, D_FF = 16, 2, 5, 32
# bert's scope names; UNNAMED is the same block written with tf.layers' default names, which do not
# say which dense layer is the query, the key or the value
BERT_NAMES = {"query": "attention/self/query", "key": "attention/self/key", "value": "attention/self/value",
              "attention_output": "attention/output/dense", "norm1": "attention/output/LayerNorm",
              "ffn1": "intermediate/dense", "ffn2": "output/dense", "norm2": "output/LayerNorm", "head": "head"}
UNNAMED = {"query": "dense", "key": "dense_1", "value": "dense_2", "attention_output": "dense_3",
           "norm1": "LayerNorm", "ffn1": "dense_4", "ffn2": "dense_5", "norm2": "LayerNorm_1", "head": "dense_6"}


def self_attention(x, names):
    """bert's attention_layer: query, key and value dense [d, d], heads split by reshaping each to
    [batch, seq, heads, head_dim], scaled dot products, softmax, heads merged back, output dense."""
    tf = _tf()
    head_dim = D_MODEL // HEADS

    def heads(t):
        return tf.transpose(tf.reshape(t, [-1, SEQ, HEADS, head_dim]), [0, 2, 1, 3])

    q, k, v = (heads(dense_seq(x, D_MODEL, names[part])) for part in ("query", "key", "value"))
    probs = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) * (1.0 / float(np.sqrt(head_dim))))
    context = tf.reshape(tf.transpose(tf.matmul(probs, v), [0, 2, 1, 3]), [-1, SEQ, D_MODEL])
    return dense_seq(context, D_MODEL, names["attention_output"])


def transformer(x, training, names=BERT_NAMES):
    """One post-LayerNorm transformer block (bert's), then the mean over the sequence and a head."""
    tf = _tf()
    h = layer_norm(x + self_attention(x, names), names["norm1"])
    f = dense_seq(dense_seq(h, D_FF, names["ffn1"], tf.nn.relu), D_MODEL, names["ffn2"])
    h = layer_norm(h + f, names["norm2"])
    return dense(tf.reduce_mean(h, 1), 3, names["head"])


def transformer_unnamed(x, training):
    return transformer(x, training, UNNAMED)


# --- the models: build(inputs, training) -> logits ------------------------------------------------

def mlp(x, training):
    tf = _tf()
    h = dense(x, 16, "dense", tf.nn.relu)
    h = dense(h, 16, "dense_1", tf.nn.relu)
    return dense(h, 3, "dense_2")


def cnn(x, training, moving=True):
    tf, v1 = _tf(), _v1()
    with v1.variable_scope("conv2d"):
        kernel = v1.get_variable("kernel", [3, 3, 3, 4], initializer=v1.glorot_uniform_initializer())
        bias = v1.get_variable("bias", [4], initializer=v1.random_normal_initializer(stddev=0.1))
    h = tf.nn.bias_add(tf.nn.conv2d(x, kernel, [1, 1, 1, 1], "VALID"), bias)
    h = tf.nn.relu(batch_norm(h, training, "batch_normalization", moving=moving))
    with v1.variable_scope("depthwise"):
        dw = v1.get_variable("depthwise_kernel", [3, 3, 4, 1], initializer=v1.glorot_uniform_initializer())
        dwb = v1.get_variable("bias", [4], initializer=v1.random_normal_initializer(stddev=0.1))
    h = tf.nn.relu(tf.nn.bias_add(tf.nn.depthwise_conv2d(h, dw, [1, 1, 1, 1], "VALID"), dwb))
    return dense(tf.reduce_mean(h, [1, 2]), 3, "dense")


def cnn_batch_stats(x, training):
    return cnn(x, training, moving=False)


VOCAB, DIM = 100, 8


def embedding(ids, training):
    tf, v1 = _tf(), _v1()
    with v1.variable_scope("emb"):
        table = v1.get_variable("table", [VOCAB, DIM], partitioner=v1.fixed_size_partitioner(2),
                                initializer=v1.random_normal_initializer())
    # "div": ids are split over the parts in contiguous ranges, as the reader concatenates them
    looked = v1.nn.embedding_lookup(table, ids, partition_strategy="div")
    return dense(tf.reduce_mean(looked, 1), 3, "dense")


FIELDS, FEATURES, FACTORS = 4, 40, 4  # DeepFM: 4 one-hot fields over 40 feature ids, 4 latent factors


def deepfm(ids, training):
    """DeepFM (Guo et al. 2017) as the public TF1 ports write it (ChenglongChen/tensorflow-DeepFM's
    `feature_embeddings` [features, k] and `feature_bias` [features, 1]; the deep part as tf.layers
    names it): one id per field (values 1), the embedding table partitioned in two ("div"), the FM's
    first- and second-order terms and a deep MLP with batch norm on the shared embeddings, summed
    into one logit; the output is the click probability."""
    tf, v1 = _tf(), _v1()
    table = v1.get_variable("feature_embeddings", [FEATURES, FACTORS], partitioner=v1.fixed_size_partitioner(2),
                            initializer=v1.random_normal_initializer(stddev=0.1))
    first = v1.get_variable("feature_bias", [FEATURES, 1], initializer=v1.random_uniform_initializer(-0.1, 0.1))
    embedded = v1.nn.embedding_lookup(table, ids, partition_strategy="div")  # [batch, fields, k]
    y_first = tf.reduce_sum(v1.nn.embedding_lookup(first, ids), [1, 2])
    # the FM's pairwise interactions: 1/2 ((sum_f e_f)^2 - sum_f e_f^2), summed over the factors
    y_second = 0.5 * tf.reduce_sum(tf.square(tf.reduce_sum(embedded, 1)) - tf.reduce_sum(tf.square(embedded), 1), 1)
    h = tf.reshape(embedded, [-1, FIELDS * FACTORS])
    with v1.variable_scope("deep"):
        h = tf.nn.relu(batch_norm(dense(h, 16, "dense"), training, "batch_normalization"))
        h = dense(h, 16, "dense_1", tf.nn.relu)
        y_deep = dense(h, 1, "dense_2")[:, 0]
    return tf.sigmoid(y_first + y_second + y_deep)


def lstm_model(x, training):
    return dense(lstm(x, 6), 3, "dense")


def gru_model(x, training):
    return dense(gru(x, 6), 3, "dense")


MODELS = {"mlp": (mlp, (8,), "float32"), "cnn": (cnn, (8, 8, 3), "float32"),
          "cnn_batch_stats": (cnn_batch_stats, (8, 8, 3), "float32"),
          "embedding": (embedding, (5,), "int64"), "lstm": (lstm_model, (5, 4), "float32"),
          "gru": (gru_model, (5, 4), "float32"),
          "transformer": (transformer, (SEQ, D_MODEL), "float32"),
          "transformer_unnamed": (transformer_unnamed, (SEQ, D_MODEL), "float32"),
          "deepfm": (deepfm, (FIELDS,), "int64"),
          "deepfm_trainable_saved": (deepfm, (FIELDS,), "int64")}
BINARY = ("deepfm", "deepfm_trainable_saved")  # a probability [batch], trained with log loss
# Saved as `Saver(tf.trainable_variables())` often is: batch norm's moving statistics are not trainable,
# so the checkpoint lacks them (and the optimizer slots).
TRAINABLE_SAVED = ("deepfm_trainable_saved",)


def batch(name: str, seed: int = 0):
    _, shape, dtype = MODELS[name]
    rng = np.random.RandomState(seed)
    if dtype == "int64":
        return rng.randint(0, FEATURES if name in BINARY else VOCAB, size=(BATCH, *shape)).astype(np.int64)
    return rng.normal(size=(BATCH, *shape)).astype(np.float32)


def train(name: str, model_dir: str, ema: bool = False) -> str:
    """Train the model for STEPS Adam steps and save it with a Saver; returns the checkpoint prefix."""
    tf, v1 = _tf(), _v1()
    build, shape, dtype = MODELS[name]
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(SEED)
        x = v1.placeholder(dtype, [None, *shape], name="x")
        labels = v1.placeholder(tf.int64, [None], name="labels")
        logits = build(x, True)
        if name in BINARY:
            loss = v1.losses.log_loss(tf.cast(labels % 2, tf.float32), logits)
        else:
            loss = v1.losses.sparse_softmax_cross_entropy(labels, logits)
        step = v1.train.get_or_create_global_step()
        with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
            train_op = v1.train.AdamOptimizer(0.05).minimize(loss, global_step=step)
        if ema:
            averages = v1.train.ExponentialMovingAverage(0.5)
            with tf.control_dependencies([train_op]):
                train_op = averages.apply(v1.trainable_variables())
        saver = v1.train.Saver(v1.trainable_variables() if name in TRAINABLE_SAVED else None)
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            for i in range(STEPS):
                sess.run(train_op, {x: batch(name, i + 1), labels: np.arange(BATCH) % 3})
            return saver.save(sess, f"{model_dir}/model.ckpt", global_step=STEPS)


def predict(name: str, prefix: str, inputs, ema: bool = False):
    """The PREDICT graph restored from the checkpoint (the EMA shadows with ema=True): its logits."""
    tf, v1 = _tf(), _v1()
    build, shape, dtype = MODELS[name]
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(dtype, [None, *shape])
        logits = build(x, False)
        var_list = v1.train.ExponentialMovingAverage(0.5).variables_to_restore() if ema else None
        saver = v1.train.Saver(var_list)
        with v1.Session(graph=graph) as sess:
            saver.restore(sess, prefix)
            return sess.run(logits, {x: inputs})
