"""Parity on the command line: `graphlint migrate --old-model FILE --batch FILE.npz` builds the old
model_fn's PREDICT graph restored from OLD (as `graphlint diff` builds a mode), runs the new model
with the converted weights on the same batch, and reports per output the differences; a wrong LSTM
gate order, which coverage cannot see, is GL607 at that output."""

import json

import numpy as np
import pytest

from migrate import tf1_models
from migrate.harness import Checkpoints, migrate, need_keras3, need_torch, port

pytestmark = pytest.mark.realtf

MODEL_FN = '''import tensorflow as tf

from migrate import tf1_models


def input_fn():  # graphlint's model contract has one; parity feeds --batch instead
    return tf1_models.batch("{name}"), None


def model_fn(features, labels, mode, params):
    logits = tf1_models.MODELS["{name}"][0](features, mode == tf.estimator.ModeKeys.TRAIN)
    scaffold = None
    if {ema}:  # the old evaluation read the EMA shadows
        ema = tf.compat.v1.train.ExponentialMovingAverage(0.5)
        scaffold = tf.compat.v1.train.Scaffold(saver=tf.compat.v1.train.Saver(ema.variables_to_restore()))
    return tf.estimator.EstimatorSpec(mode, predictions={{"logits": logits}}, scaffold=scaffold)
'''


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    return Checkpoints(tmp_path_factory.mktemp("old"))


def _old_model(tmp_path, name):
    path = tmp_path / f"old_{name}.py"
    path.write_text(MODEL_FN.format(name=name, ema=name == "mlp"))
    batch = tmp_path / "batch.npz"
    np.savez(batch, x=tf1_models.batch(name, seed=11))
    return ["--old-model", path, "--batch", batch]


@pytest.mark.parametrize("model,name", [("mlp", "mlp_torch"), ("lstm", "lstm_torch"), ("cnn", "cnn_keras"),
                                        ("embedding", "embedding_keras")])
def test_correct_port_computes_the_old_outputs(model, name, checkpoints, cli, tmp_path):
    (need_torch if name.endswith("torch") else need_keras3)()
    ema = ["--use-ema"] if model == "mlp" else []
    code, report = migrate(cli, checkpoints[model], "--to", port(name), *ema, *_old_model(tmp_path, model))
    assert (code, report["findings"]) == (0, [])
    (out,) = report["parity"]["outputs"]
    assert out["name"] == "logits" and out["shape"] == [tf1_models.BATCH, 3]
    assert out["max_abs"] < 1e-5 and out["rel_l2"] < 1e-5


def test_raw_weights_where_evaluation_used_the_shadows_is_a_parity_finding(checkpoints, cli, tmp_path):
    """The old model_fn restores the EMA shadows (its Scaffold's Saver); converting the raw
    variables covers every weight, and only parity shows the difference."""
    need_torch()
    code, report = migrate(cli, checkpoints["mlp"], "--to", port("mlp_torch"), "--no-use-ema",
                           *_old_model(tmp_path, "mlp"))
    assert code == 1
    assert [(f["code"], f["name"]) for f in report["findings"]] == [("GL607", "logits")]


def test_wrong_gate_order_is_a_parity_finding(checkpoints, cli, tmp_path):
    need_torch()
    old, path = checkpoints["lstm"], tmp_path / "mapping.json"
    migrate(cli, old, "--to", port("lstm_torch"), "--write-mapping", path)
    doc = json.loads(path.read_text())
    for entry in doc["weights"]:
        if entry["transform"]["op"] == "lstm":
            entry["transform"]["new_gates"] = "icfo"
    path.write_text(json.dumps(doc))
    code, report = migrate(cli, old, "--to", port("lstm_torch"), "--mapping", path, *_old_model(tmp_path, "lstm"))
    assert code == 1
    assert [(f["code"], f["name"]) for f in report["findings"]] == [("GL607", "logits")]


def test_parity_is_not_computed_on_an_incomplete_conversion(checkpoints, cli, tmp_path):
    need_torch()
    code, report = migrate(cli, checkpoints["mlp"], "--to", port("mlp_missing_layer_torch"), "--no-use-ema",
                           *_old_model(tmp_path, "mlp"))
    assert code == 1 and report["parity"]["outputs"] == []
    assert report["parity"]["note"].startswith("parity not computed")
