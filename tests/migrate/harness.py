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
