"""tf.contrib.framework: the checkpoint readers (TF 1.15's contrib.framework re-exported them from
tensorflow/python/training/checkpoint_utils, which tf.compat.v1.train still exports: same functions).
XLNet's checkpoint cleaning and averaging use list_variables and load_checkpoint."""

PROVIDES = ("init_from_checkpoint", "list_variables", "load_checkpoint", "load_variable")


def symbols() -> dict:
    import tensorflow as tf

    return {name: getattr(tf.compat.v1.train, name) for name in PROVIDES}
