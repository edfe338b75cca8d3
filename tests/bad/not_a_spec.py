from case_like import input_fn  # noqa: F401


def model_fn(features, labels, mode, params):
    return {"loss": 0.0}
