"""tf.estimator and tf.compat.v1.estimator (attributes of TensorFlow's API modules) and
sys.modules["tensorflow.estimator"], set to graphlint's stand-in while the room is open.

TensorFlow 2.16+ has no tf.estimator, and Estimator-era model files read it at import and while
building: the stand-in (graphlint/model/tfcompat.py) is put where they look for it at the first
block in a room, and stays until the room's exit (a module attribute cannot pass through: model
files hold it from their import on), which puts everything back as it was.
"""

from __future__ import annotations

import contextlib
import sys

from graphlint.tfpatch.state import room


@contextlib.contextmanager
def installed(tf_module, standin):
    """While open, tf.estimator, tf.compat.v1.estimator and `import tensorflow.estimator` are `standin`
    (or the stand-in an earlier block of the same room set: yielded)."""
    with room() as r:
        if not r.is_patched(sys.modules, "tensorflow.estimator"):
            for owner, name in ((tf_module, "estimator"), (tf_module.compat.v1, "estimator"),
                                (sys.modules, "tensorflow.estimator")):
                r.set(owner, name, standin)
        yield sys.modules["tensorflow.estimator"]
