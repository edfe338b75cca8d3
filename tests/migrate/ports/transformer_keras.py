import keras


def build_model(eps1=1e-12):
    """The TF1 block (tests/migrate/tf1_models.transformer): MultiHeadAttention's EinsumDense kernels
    are [d, heads, head_dim] (query, key, value) and [heads, head_dim, d] (output). Layers are named,
    so that their weights' names do not depend on how many models the process built before."""
    layers = keras.layers
    x = keras.Input((5, 16))
    a = layers.MultiHeadAttention(num_heads=2, key_dim=8, name="attention")(x, x)
    h = layers.LayerNormalization(epsilon=eps1, name="norm1")(x + a)
    f = layers.Dense(16, name="ffn2")(layers.Dense(32, activation="relu", name="ffn1")(h))
    h = layers.LayerNormalization(epsilon=1e-12, name="norm2")(h + f)
    return keras.Model(x, layers.Dense(3, name="head")(layers.GlobalAveragePooling1D()(h)))


def build_epsilon_differs():  # the port's first LayerNorm keeps Keras's default epsilon 1e-3, not bert's 1e-12
    return build_model(eps1=1e-3)
