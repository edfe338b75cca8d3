import time

from case_like import input_fn  # noqa: F401


def model_fn(features, labels, mode, params):
    while True:  # waits for a resource that never comes
        time.sleep(0.05)
