"""ALBERT's run_classifier (albert-tensorflow 1.1, unedited, copied to tmp) under the TF1 runtime: its
modules do `import tensorflow as tf` with the 1.x API and import tpu, data, cluster_resolver, metrics
and layers from tensorflow.contrib. graphlint runs it clean, the real Estimator trains it, and the
variables it builds are named exactly as in the released TF1 ALBERT models."""

import os
import subprocess
import sys

import pytest

import tf1_albert
from conftest import ROOT

RUNTIME_THEN_PROGRAM = ("import runpy, sys; from graphlint import tf1; sys.argv = sys.argv[1:]\n"
                        "with tf1.runtime(): runpy.run_path(sys.argv[0], run_name='__main__')")

# The encoder variables of the released TF1 ALBERT models (TF-Hub albert_base), as public code that
# loads them lists them: kamalkraj/ALBERT-TF2.0, converter.py at 1fb4a2207f6f9abc1cdc2c1eacbb76208ddc847b
# (`weight_map`'s keys, looked up in the hub model's variables).
_GROUP = "bert/encoder/transformer/group_0/inner_group_0/"
RELEASED = {
    "bert/embeddings/word_embeddings", "bert/embeddings/token_type_embeddings",
    "bert/embeddings/position_embeddings", "bert/embeddings/LayerNorm/beta", "bert/embeddings/LayerNorm/gamma",
    "bert/encoder/embedding_hidden_mapping_in/kernel", "bert/encoder/embedding_hidden_mapping_in/bias",
    *(f"{_GROUP}attention_1/self/{p}/{w}" for p in ("query", "key", "value") for w in ("kernel", "bias")),
    f"{_GROUP}attention_1/output/dense/kernel", f"{_GROUP}attention_1/output/dense/bias",
    f"{_GROUP}LayerNorm/beta", f"{_GROUP}LayerNorm/gamma",
    f"{_GROUP}ffn_1/intermediate/dense/kernel", f"{_GROUP}ffn_1/intermediate/dense/bias",
    f"{_GROUP}ffn_1/intermediate/output/dense/kernel", f"{_GROUP}ffn_1/intermediate/output/dense/bias",
    f"{_GROUP}LayerNorm_1/beta", f"{_GROUP}LayerNorm_1/gamma",
    "bert/pooler/dense/kernel", "bert/pooler/dense/bias",
}


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    from graphlint.model.tfcompat import real_estimator

    if real_estimator() is None:
        pytest.skip("ALBERT's run_classifier makes a TPUEstimator: tensorflow-estimator (TensorFlow 2.15)")
    return tf1_albert.checkout(tmp_path_factory.mktemp("albert"))


def _run(files, argv, timeout=900):
    # the parent's path stays: sentencepiece may be installed beside the tests rather than in the venv
    path = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, PYTHONPATH=path, TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("TF_CONFIG", None)
    return subprocess.run([sys.executable, *argv], cwd=files["base"], env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_graphlint_runs_albert_clean_under_the_tf1_runtime(checkout, tmp_path):
    import json

    proc = _run(checkout, ["-m", "graphlint", "run", "--format", "json", "--jobs", "1", "--", checkout["program"],
                           *tf1_albert.flags(checkout, tmp_path / "gl")])
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert "TF1 runtime" in report["estimator_api"]
    assert set(report["modes"]) == {"train", "eval"}


def test_albert_trains_under_the_runtime_with_the_released_models_names(checkout, tmp_path):
    import tensorflow as tf

    proc = _run(checkout, ["-c", RUNTIME_THEN_PROGRAM, checkout["program"], *tf1_albert.flags(checkout, tmp_path / "m")])
    assert proc.returncode == 0, proc.stderr[-3000:]
    ckpt = tf.train.latest_checkpoint(str(tmp_path / "m"))
    assert tf.train.load_variable(ckpt, "global_step") == 2  # 4 examples, batch 2, one epoch
    names = {n for n, _ in tf.train.list_variables(ckpt)}
    assert {n for n in names if n.startswith("bert/") and "adam" not in n} == RELEASED
