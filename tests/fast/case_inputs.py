"""What a case is checked against, made for real with TensorFlow when the case runs (its recording
step, or tests/test_cases.py): a case file that declares one of these is run as `graphlint check`.

    CHECKPOINT = {"params": {...}}    # this model file trained for one step, its params with these
                                      # merged over them, saved as Estimator saves (realtf.checkpoints)
    CHECKPOINT = {"object": {attribute: [variable name, shape, dtype], ...}}
                                      # a TF2 object-based tf.train.Checkpoint of zeros
    SAVED_MODEL = {"params": {...}, "receiver_fn": NAME}
                                      # this model file trained for one step by the real Estimator with
                                      # those params, then Estimator.export_saved_model with the
                                      # module's function NAME (default serving_input_receiver_fn)

They are written under one temporary directory, which a recording and its goldens name
recording.MADE, so they do not depend on where it was."""

import contextlib
import os
import tempfile

import pytest

from corpus import literal

RECEIVER_FN = "serving_input_receiver_fn"


def declared(path) -> bool:
    return bool(literal(path, "CHECKPOINT", None) or literal(path, "SAVED_MODEL", None))


@contextlib.contextmanager
def made(path):
    """(the command, its extra arguments, the temporary directory or "") for the case at `path`."""
    checkpoint, saved_model = literal(path, "CHECKPOINT", None), literal(path, "SAVED_MODEL", None)
    if not (checkpoint or saved_model):
        yield "diff", [], ""
        return
    with tempfile.TemporaryDirectory(prefix="graphlint-case-") as tmp:
        args = []
        if checkpoint:
            args += ["--checkpoint", _checkpoint(path, checkpoint, tmp)]
        if saved_model:
            args += ["--saved-model", _saved_model(path, saved_model, tmp)]
        yield "check", args, tmp


def _checkpoint(path, spec: dict, tmp: str) -> str:
    import numpy as np

    from realtf import checkpoints

    if "object" in spec:
        return checkpoints.write_object_checkpoint(os.path.join(tmp, "object"), {
            attribute: (name, np.zeros(shape, dtype)) for attribute, (name, shape, dtype) in spec["object"].items()})
    return checkpoints.train_checkpoint(path, os.path.join(tmp, "model_dir"), steps=1, params=spec["params"])


def _saved_model(path, spec: dict, tmp: str) -> str:
    """The export, moved from its timestamped folder to tmp/saved_model."""
    from graphlint.model.tfcompat import estimator_api, real_estimator, tf
    from realtf import _import_model

    if real_estimator() is None:
        pytest.skip("exporting a SavedModel needs the real Estimator (TF 2.15 + tensorflow-estimator)")
    with estimator_api():
        module = _import_model(path)
        params = dict(module.params, **spec.get("params", {}))
        estimator = tf().estimator.Estimator(module.model_fn, model_dir=os.path.join(tmp, "export_model_dir"),
                                             params=params)
        estimator.train(module.input_fn, steps=1)
        receiver_fn = getattr(module, spec.get("receiver_fn", RECEIVER_FN))
        export = estimator.export_saved_model(os.path.join(tmp, "exports"), receiver_fn).decode()
    fixed = os.path.join(tmp, "saved_model")
    os.rename(export, fixed)
    return fixed
