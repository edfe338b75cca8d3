import keras
from keras import ops

FIELDS, FEATURES, FACTORS = 4, 40, 4


def build_model():
    ids = keras.Input((FIELDS,), dtype="int64")
    embedded = keras.layers.Embedding(FEATURES, FACTORS)(ids)  # [batch, fields, k]
    first = ops.sum(keras.layers.Embedding(FEATURES, 1)(ids), axis=(1, 2))
    second = 0.5 * ops.sum(ops.square(ops.sum(embedded, 1)) - ops.sum(ops.square(embedded), 1), 1)
    h = keras.layers.Dense(16)(keras.layers.Flatten()(embedded))
    h = keras.layers.ReLU()(keras.layers.BatchNormalization(epsilon=1e-3)(h))
    h = keras.layers.Dense(16, activation="relu")(h)
    deep = keras.layers.Dense(1)(h)[:, 0]
    return keras.Model(ids, ops.sigmoid(first + second + deep))
