"""Parity on the command line: `graphlint migrate --old-model FILE --batch FILE.npz` builds the old
model_fn's PREDICT graph restored from OLD (as `graphlint diff` builds a mode), runs the new model
with the converted weights on the same batch, and reports per output the differences; a wrong LSTM
gate order, which coverage cannot see, is GL607 at the first layer whose output differs."""

import json

import pytest

from migrate import tf1_models
from migrate.harness import (Checkpoints, migrate, need_keras3, need_torch, old_model_file, parity_args, port,
                             tf1_gate_order_mapping)

pytestmark = pytest.mark.realtf


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    return Checkpoints(tmp_path_factory.mktemp("old"))


def _old_model(tmp_path, name):
    return parity_args(tmp_path, name, ema=name == "mlp")


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
    layers = report["parity"]["layers"]
    assert len(layers) == len({e["new"].rpartition(".")[0] or e["new"].rpartition("/")[0] for e in report["mapping"]})
    assert all(r["agrees"] and r["max_abs"] < 1e-5 for r in layers), layers


def test_raw_weights_where_evaluation_used_the_shadows_is_a_parity_finding(checkpoints, cli, tmp_path):
    """The old model_fn restores the EMA shadows (its Scaffold's Saver); converting the raw
    variables covers every weight, and only parity shows the difference."""
    need_torch()
    code, report = migrate(cli, checkpoints["mlp"], "--to", port("mlp_torch"), "--no-use-ema",
                           *_old_model(tmp_path, "mlp"))
    assert code == 1
    # the shadows differ from the raw variables in every layer: the first one already differs
    assert [(f["code"], f["name"], f["names"]) for f in report["findings"]] == [("GL607", "0", ["0", "logits"])]
    assert [r["agrees"] for r in report["parity"]["layers"]][0] is False


def test_wrong_gate_order_is_a_parity_finding(checkpoints, cli, tmp_path):
    need_torch()
    old, path = checkpoints["lstm"], tmp_path / "mapping.json"
    tf1_gate_order_mapping(cli, old, path)
    code, report = migrate(cli, old, "--to", port("lstm_torch"), "--mapping", path, *_old_model(tmp_path, "lstm"))
    assert code == 1
    assert [(f["code"], f["name"]) for f in report["findings"]] == [("GL607", "lstm")]
    assert [(r["new"], r["agrees"]) for r in report["parity"]["layers"]] == [("lstm", False), ("head", False)]


def test_a_square_kernel_not_transposed_in_the_middle_is_located_at_its_layer(checkpoints, cli, tmp_path):
    """dense_1 is [16, 16]: its kernel fits torch's Linear untransposed, so coverage is clean; the
    outputs differ, and the layers tell where: the first Linear agrees, the second does not."""
    need_torch()
    old, path = checkpoints["mlp"], tmp_path / "mapping.json"
    migrate(cli, old, "--to", port("mlp_torch"), "--use-ema", "--write-mapping", path)
    doc = json.loads(path.read_text())
    (entry,) = [e for e in doc["weights"] if e["new"] == "2.weight"]
    entry["transform"] = {"op": "identity"}
    path.write_text(json.dumps(doc))
    code, report = migrate(cli, old, "--to", port("mlp_torch"), "--mapping", path, "--use-ema",
                           *_old_model(tmp_path, "mlp"))
    assert code == 1
    (finding,) = report["findings"]
    assert (finding["code"], finding["name"], finding["names"]) == ("GL607", "2", ["2", "logits"])
    assert "dense_1" in finding["message"]
    assert [(r["new"], r["old"], r["agrees"]) for r in report["parity"]["layers"]] == [
        ("0", "dense", True), ("2", "dense_1", False), ("4", "dense_2", False)]


def test_without_batch_parity_feeds_the_old_input_fn_batch(checkpoints, cli, tmp_path):
    """The model file's input_fn gives the batch (its six rows), and both models agree on it;
    --batch still wins."""
    need_torch()
    old_model = _old_model(tmp_path, "lstm")[:2]
    code, report = migrate(cli, checkpoints["lstm"], "--to", port("lstm_torch"), *old_model)
    assert (code, report["findings"]) == (0, [])
    assert report["parity"]["batch"].startswith("the old input_fn")
    (out,) = report["parity"]["outputs"]
    assert out["shape"] == [tf1_models.BATCH, 3] and out["max_abs"] < 1e-5
    code, given = migrate(cli, checkpoints["lstm"], "--to", port("lstm_torch"), *_old_model(tmp_path, "lstm"))
    assert given["parity"]["batch"].endswith("batch.npz")


def test_without_batch_a_dataset_input_fn_gives_its_first_batch(checkpoints, cli, tmp_path):
    need_torch()
    path = old_model_file(tmp_path, "lstm")
    path.write_text(path.read_text().replace(
        'return tf1_models.batch("lstm"), None',
        'return tf.data.Dataset.from_tensor_slices((tf1_models.batch("lstm"), list(range(6)))).batch(4)'))
    code, report = migrate(cli, checkpoints["lstm"], "--to", port("lstm_torch"), "--old-model", path)
    assert (code, report["findings"]) == (0, [])
    (out,) = report["parity"]["outputs"]
    assert out["shape"] == [4, 3] and out["max_abs"] < 1e-5  # the first batch: 4 of the 6 rows


RECEIVER = '''import tensorflow as tf

from migrate import tf1_models


def input_fn():
    raise FileNotFoundError("gs://bucket/train-*.tfrecord")  # the training data is not here


def serving_input_receiver_fn():
    x = tf.compat.v1.placeholder(tf.float32, [None, 5, 4])
    return tf.estimator.export.ServingInputReceiver({"x": x}, {"x": x})


def model_fn(features, labels, mode, params):
    logits = tf1_models.lstm_model(features["x"], False)
    return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
'''


def test_without_batch_or_input_fn_parity_feeds_a_batch_of_the_serving_receivers_features(checkpoints, cli,
                                                                                              tmp_path):
    need_torch()
    path = tmp_path / "old_lstm.py"
    path.write_text(RECEIVER)
    code, report = migrate(cli, checkpoints["lstm"], "--to", port("lstm_torch"), "--old-model", path)
    assert (code, report["findings"]) == (0, [])
    assert report["parity"]["batch"].startswith("generated from serving_input_receiver_fn")
    (out,) = report["parity"]["outputs"]
    assert out["shape"] == [4, 3] and out["max_abs"] < 1e-5
    assert all(r["agrees"] for r in report["parity"]["layers"])


def test_without_any_batch_parity_is_a_usage_error(checkpoints, cli, tmp_path):
    need_torch()
    path = old_model_file(tmp_path, "lstm")
    path.write_text(path.read_text().replace('return tf1_models.batch("lstm"), None', 'raise FileNotFoundError("data")'))
    code, out, err = cli("migrate", checkpoints["lstm"], "--to", port("lstm_torch"), "--old-model", path)
    assert code == 2 and "--batch" in err and "Traceback" not in err


def test_parity_is_not_computed_on_an_incomplete_conversion(checkpoints, cli, tmp_path):
    need_torch()
    code, report = migrate(cli, checkpoints["mlp"], "--to", port("mlp_missing_layer_torch"), "--no-use-ema",
                           *_old_model(tmp_path, "mlp"))
    assert code == 1 and report["parity"]["outputs"] == []
    assert report["parity"]["note"].startswith("parity not computed")
