import keras


def build_model():
    return keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3),
                             keras.layers.BatchNormalization(epsilon=1e-3), keras.layers.ReLU(),
                             keras.layers.DepthwiseConv2D(3, activation="relu"),
                             keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3)])
