from case_like import input_fn  # noqa: F401


def build_model(features, labels, mode, params):
    return None


def helper(x):
    return x
