"""warm_starting_util.warm_start (tensorflow.python.training.warm_starting_util), wrapped while a
mode is built.

WarmStartSettings' warm start (Estimator's, or tf.compat.v1.train.warm_start) selects variables
by its settings and then calls init_from_checkpoint for those it found; a selection that matches
no variable makes no call at all. Estimator calls it through the module attribute, so replacing
that attribute sees every WarmStartSettings warm start whole (graphlint/model/warmstart.py).
"""

from __future__ import annotations

import contextlib


@contextlib.contextmanager
def wrapped(warm_start):
    """While open, warm_starting_util.warm_start is warm_start(the current one)."""
    from tensorflow.python.training import warm_starting_util as wsu

    saved = wsu.warm_start
    wsu.warm_start = warm_start(saved)
    try:
        yield
    finally:
        wsu.warm_start = saved
