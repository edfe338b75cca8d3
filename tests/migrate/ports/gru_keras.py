import keras


def build_model(reset_after=True):
    return keras.Sequential([keras.Input((5, 4)), keras.layers.GRU(6, reset_after=reset_after), keras.layers.Dense(3)])


def build_model_reset_before():
    return build_model(reset_after=False)
