"""tf.estimator and tf.compat.v1.estimator (attributes of TensorFlow's API modules) and
sys.modules["tensorflow.estimator"], set to graphlint's stand-in while the room is open.

TensorFlow 2.16+ has no tf.estimator, and Estimator-era model files read it at import and while
building: the stand-in (graphlint/model/tfcompat.py) is put where they look for it, and
everything is put back as it was on exit.
"""

from __future__ import annotations

import contextlib
import sys

_MISSING = object()


@contextlib.contextmanager
def installed(tf_module, standin):
    """While open, tf.estimator, tf.compat.v1.estimator and `import tensorflow.estimator` are `standin`."""
    targets = [tf_module, tf_module.compat.v1]
    saved = [(obj, obj.__dict__.get("estimator", _MISSING)) for obj in targets]
    saved_mod = sys.modules.get("tensorflow.estimator", _MISSING)
    for obj in targets:
        obj.estimator = standin
    sys.modules["tensorflow.estimator"] = standin
    try:
        yield standin
    finally:
        for obj, old in saved:
            if old is _MISSING:
                with contextlib.suppress(AttributeError):
                    delattr(obj, "estimator")
            else:
                obj.estimator = old
        if saved_mod is _MISSING:
            sys.modules.pop("tensorflow.estimator", None)
        else:
            sys.modules["tensorflow.estimator"] = saved_mod
