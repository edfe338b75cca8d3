from case_like import input_fn  # noqa: F401


def model_fn(inputs, targets, mode):
    return None
