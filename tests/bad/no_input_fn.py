def model_fn(features, labels, mode, params):
    return None
