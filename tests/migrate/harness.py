"""What the migrate tests share: the old checkpoints (trained once per test session), the ports, and
running `graphlint migrate` in-process with its JSON report."""

from __future__ import annotations

import importlib.util
import json
import os

import pytest

from migrate import tf1_models

PORTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ports")


def port(name: str) -> str:
    return os.path.join(PORTS, f"{name}.py")


def build(name: str, fn: str = "build_model"):
    spec = importlib.util.spec_from_file_location(f"port_{name}", port(name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, fn)()


# The old model file parity builds (--old-model): a model_fn around one of tf1_models' models,
# graphlint's model contract; `ema` restores the shadows as the old evaluation did.
OLD_MODEL_FN = '''import tensorflow as tf

from migrate import tf1_models


def input_fn():  # without --batch, parity feeds its first batch
    return tf1_models.batch("{name}"), None


def model_fn(features, labels, mode, params):
    {output} = tf1_models.MODELS["{name}"][0](features, mode == tf.estimator.ModeKeys.TRAIN)
    scaffold = None
    if {ema}:  # the old evaluation read the EMA shadows
        ema = tf.compat.v1.train.ExponentialMovingAverage(0.5)
        scaffold = tf.compat.v1.train.Scaffold(saver=tf.compat.v1.train.Saver(ema.variables_to_restore()))
    return tf.estimator.EstimatorSpec(mode, predictions={{"{output}": {output}}}, scaffold=scaffold)
'''
TIGHT = ["--atol", "1e-5", "--rtol", "1e-5"]  # parity to 1e-5: a port must compute the old graph


def old_model_file(tmp_path, name: str, ema: bool = False, output: str = "logits"):
    path = tmp_path / f"old_{name}.py"
    path.write_text(OLD_MODEL_FN.format(name=name, ema=ema, output=output))
    return path


def parity_args(tmp_path, name: str, *extra, ema: bool = False, output: str = "logits") -> list:
    """--old-model (old_model_file) and --batch (a batch of seed 11, not the input_fn's) and `extra`."""
    import numpy as np

    batch = tmp_path / "batch.npz"
    np.savez(batch, x=tf1_models.batch(name, seed=11))
    return ["--old-model", old_model_file(tmp_path, name, ema, output), "--batch", batch, *extra]


def need_torch():
    pytest.importorskip("torch", reason="the PyTorch ports need torch and safetensors: pip install -e '.[torch]'")
    pytest.importorskip("safetensors", reason="the PyTorch ports need torch and safetensors: pip install -e '.[torch]'")


def need_keras3():
    keras = pytest.importorskip("keras", reason="the Keras ports need Keras 3 (TensorFlow 2.16+)")
    if int(keras.__version__.split(".")[0]) < 3:
        pytest.skip(f"the Keras ports need Keras 3 (TensorFlow 2.16+); this is Keras {keras.__version__}")


class Checkpoints:
    """The old models, each trained once (EMA on the MLP) into a folder of the session's."""

    def __init__(self, root):
        self.root = root
        self.prefixes = {}

    def __getitem__(self, name: str) -> str:
        if name not in self.prefixes:
            self.prefixes[name] = tf1_models.train(name, str(self.root / name), ema=name == "mlp")
        return self.prefixes[name]


def migrate(cli, *args):
    """(exit status, JSON report) of `graphlint migrate ARGS --format json`."""
    code, out, err = cli("migrate", *args, "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out)


def errors(report) -> list:
    return [f for f in report["findings"] if f["severity"] == "error"]


def tf1_gate_order_mapping(cli, old: str, path) -> None:
    """Write the LSTM port's mapping file to `path`, edited to keep TF1's gate order (i, c, f, o) as
    a hand-written loader often does: the shapes still fit, only the outputs differ."""
    migrate(cli, old, "--to", port("lstm_torch"), "--write-mapping", path)
    doc = json.loads(path.read_text())
    for entry in doc["weights"]:
        if entry["transform"]["op"] == "lstm":
            entry["transform"]["new_gates"] = "icfo"
    path.write_text(json.dumps(doc))
