def input_fn(params):
    return 42


def model_fn(features, labels, mode, params):
    return None
