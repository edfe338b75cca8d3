"""A fleet model: builds only when it is the first model this process loaded."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shared_state  # noqa: E402
from shared_state import input_fn  # noqa: E402,F401

params = {}
model_fn = shared_state.register("b")
