import keras


def build_model():
    """TF1's GRUCell in Keras: reset_after=False applies the reset gate before the recurrent product,
    as TF1's cell does (Keras's default, reset_after=True, does not). Layers are named, so that their
    weights' names do not depend on how many models the process built before."""
    return keras.Sequential([keras.Input((5, 4)), keras.layers.GRU(6, reset_after=False, name="gru"),
                             keras.layers.Dense(3, name="head")], name="net")
