"""A fleet model: builds only when it is the first model this process loaded."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shared_state  # noqa: E402
from shared_state import input_fn  # noqa: E402,F401

shared_state.IMPORTS += 1
SEEN = shared_state.IMPORTS
params = {}


def model_fn(features, labels, mode, params):
    print(f"model_b building {mode} (imports seen: {SEEN})")
    if SEEN != 1:
        raise RuntimeError("model_b saw another model's state")
    return shared_state.linear_spec(features, labels, mode, "w_b")
