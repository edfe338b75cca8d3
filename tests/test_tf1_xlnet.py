"""XLNet's run_classifier.main (xlnet-tensorflow 1.1.2, unedited; tests/tf1_xlnet.py) under the TF1
runtime: the real Estimator trains it and evaluates the checkpoint with contrib's
streaming_pearson_correlation; `graphlint run` is clean, and against the trained model_dir builds
both modes and checks the checkpoint.

XLNet's evaluation lists model_dir's checkpoints and evaluates the newest, so where graphlint trains
nothing (an empty model_dir) the program stops there: graphlint checks the train() it recorded and
says so; with the trained model_dir it records evaluate() too.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

import tf1_xlnet
from conftest import ROOT

RUNTIME_THEN_PROGRAM = ("import runpy, sys; from graphlint import tf1; sys.argv = sys.argv[1:]\n"
                        "with tf1.runtime(): runpy.run_path(sys.argv[0], run_name='__main__')")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    from graphlint.model.tfcompat import real_estimator

    if real_estimator() is None:
        pytest.skip("XLNet's run_classifier makes a TPUEstimator: tensorflow-estimator (TensorFlow 2.15)")
    return tf1_xlnet.checkout(tmp_path_factory.mktemp("xlnet"))


def _run(files, argv):
    path = os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, PYTHONPATH=path, TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("TF_CONFIG", None)
    return subprocess.run([sys.executable, *argv], cwd=files["base"], env=env, capture_output=True, text=True,
                          timeout=900)


def _graphlint_run(files, output_dir, model_dir):
    proc = _run(files, ["-m", "graphlint", "run", "--format", "json", "--jobs", "1", "--", files["program"],
                        *tf1_xlnet.flags(files, output_dir, model_dir)])
    return proc.returncode, (json.loads(proc.stdout) if proc.stdout.strip() else None), proc.stderr


@pytest.fixture(scope="module")
def trained(checkout, tmp_path_factory):
    base = tmp_path_factory.mktemp("xlnet_real")
    proc = _run(checkout, ["-c", RUNTIME_THEN_PROGRAM, checkout["program"],
                           *tf1_xlnet.flags(checkout, base / "out", base / "model")])
    assert proc.returncode == 0, proc.stderr[-3000:]
    return str(base / "model"), proc.stderr


@pytest.mark.realtf
def test_the_real_estimator_trains_and_evaluates_xlnet_under_the_runtime(trained):
    import tensorflow as tf

    model_dir, log = trained
    ckpt = tf.train.latest_checkpoint(model_dir)
    assert tf.train.load_variable(ckpt, "global_step") == tf1_xlnet.STEPS
    names = {n for n, _ in tf.train.list_variables(ckpt)}
    # contrib.layers.layer_norm where XLNet's modeling asks for it, and the regression head
    assert {"model/transformer/layer_1/ff/LayerNorm/gamma", "model/transformer/word_embedding/lookup_table",
            "model/regression_sts-b/logit/kernel"} <= names
    assert "eval_pearsonr" in log  # evaluate() ran contrib's streaming_pearson_correlation


def test_graphlint_runs_xlnet_clean_under_the_tf1_runtime(checkout, tmp_path):
    code, report, err = _graphlint_run(checkout, tmp_path / "out", tmp_path / "model")
    assert code == 0, err[-3000:]
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert "TF1 runtime" in report["estimator_api"] and list(report["modes"]) == ["train"]
    assert not os.path.exists(tmp_path / "model")  # graphlint trained nothing


@pytest.mark.realtf
def test_graphlint_checks_xlnet_against_its_trained_model_dir(checkout, trained, tmp_path):
    model_dir = shutil.copytree(trained[0], tmp_path / "model")
    code, report, err = _graphlint_run(checkout, tmp_path / "out", model_dir)
    assert code == 0, err[-3000:]
    assert [f for f in report["findings"] if f["severity"] == "error"] == []
    assert set(report["modes"]) == {"train", "eval"}
    assert report["checkpoint"]
