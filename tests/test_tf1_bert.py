"""google-research/bert's run_classifier.py, unedited (bert-tensorflow 1.0.4 from PyPI, copied into
tmp as a user's checkout), under the TF1 runtime: it imports `tensorflow.contrib`, so TensorFlow 2
alone cannot run it. graphlint runs it clean; the real Estimator (TF 2.15) trains and evaluates it
under the same runtime; and a bug from bert's issue tracker, an init_checkpoint whose variables sit
under another scope (get_assignment_map_from_checkpoint then maps nothing and fine-tuning starts from
random weights, silently), is GL310 with the names, as the real run shows."""

import json
import os
import shutil

import numpy as np
import pytest

import tf1_bert

STEPS = len(tf1_bert.SENTENCES) // tf1_bert.TRAIN_BATCH  # one epoch
PROBE = "bert/embeddings/word_embeddings"  # a variable init_checkpoint should load


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The checkout, and the model_dir the real Estimator trained under the runtime."""
    files = tf1_bert.checkout(tmp_path_factory.mktemp("bert"))
    model_dir = os.path.join(files["base"], "trained")
    proc = tf1_bert.real_run(files, model_dir)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return files, model_dir


@pytest.fixture
def checkout(tmp_path):
    return tf1_bert.checkout(tmp_path)


def test_graphlint_runs_bert_clean_under_the_tf1_runtime(checkout, tmp_path):
    code, report, err = tf1_bert.graphlint_run(checkout, tmp_path / "gl_model")
    assert code == 0, err[-3000:]
    assert tf1_bert.errors(report) == []
    assert "TF1 runtime" in report["estimator_api"]
    assert set(report["modes"]) == {"train", "eval"}  # do_train and do_eval: TPUEstimator.train, evaluate
    # the program writes its tf_record inputs there itself; graphlint trains nothing, writes no checkpoint
    assert sorted(os.listdir(tmp_path / "gl_model")) == ["eval.tf_record", "train.tf_record"]


def test_bert_does_not_import_on_tensorflow_2_alone(checkout, tmp_path):
    proc = tf1_bert.real_run(checkout, tmp_path / "m", runtime=False)
    assert proc.returncode == 1
    assert "ModuleNotFoundError" in proc.stderr and "tensorflow.contrib" in proc.stderr


@pytest.mark.realtf
def test_the_real_estimator_trains_bert_under_the_runtime(trained):
    import tensorflow as tf

    files, model_dir = trained
    ckpt = tf.train.latest_checkpoint(model_dir)
    assert tf.train.load_variable(ckpt, "global_step") == STEPS
    names = {n for n, _ in tf.train.list_variables(ckpt)}
    # contrib.layers.layer_norm's variables, where bert's modeling.py asks for them
    assert {"bert/encoder/layer_1/output/LayerNorm/gamma", "bert/embeddings/LayerNorm/beta", PROBE} <= names
    with open(os.path.join(model_dir, "eval_results.txt"), encoding="utf-8") as fh:
        assert f"global_step = {STEPS}" in fh.read()  # do_eval evaluated the trained checkpoint


def _under_another_scope(src, dst, prefix):
    """A copy of checkpoint `src` with every variable under `prefix`, written by TensorFlow's Saver."""
    import tensorflow as tf

    with tf.Graph().as_default():
        variables = [tf.compat.v1.Variable(tf.train.load_variable(src, n), name=prefix + n)
                     for n, _ in tf.train.list_variables(src) if n != "global_step"]
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            tf.compat.v1.train.Saver(variables).save(session, dst)
    return dst


def _loaded_at_start(model_dir, init_checkpoint) -> bool:
    """Did fine-tuning start from init_checkpoint? model.ckpt-0 is what step 0 had."""
    import tensorflow as tf

    start = tf.train.load_variable(os.path.join(model_dir, "model.ckpt-0"), PROBE)
    names = dict(tf.train.list_variables(init_checkpoint))
    source = next(n for n in names if n.endswith(PROBE))
    return bool(np.array_equal(start, tf.train.load_variable(init_checkpoint, source)))


@pytest.mark.realtf
def test_init_checkpoint_under_another_scope_is_gl310(trained, tmp_path):
    import tensorflow as tf

    files, model_dir = trained
    good = tf.train.latest_checkpoint(model_dir)
    renamed = _under_another_scope(good, str(tmp_path / "renamed" / "model.ckpt"), "model/")

    code, report, err = tf1_bert.graphlint_run(files, tmp_path / "gl_good", f"--init_checkpoint={good}")
    assert code == 0, err[-3000:]
    code, report, err = tf1_bert.graphlint_run(files, tmp_path / "gl_renamed", f"--init_checkpoint={renamed}")
    assert code == 1, err[-3000:]
    (finding,) = tf1_bert.errors(report)
    assert finding["code"] == "GL310"
    import ast

    printed = ast.literal_eval(finding["fix"].split("assignment_map: ", 1)[1])
    resolved = {(k + PROBE[len(v):] if k.endswith("/") else k): PROBE for k, v in printed.items()
                if PROBE == v or (k.endswith("/") and PROBE.startswith(v))}
    assert resolved == {f"model/{PROBE}": PROBE}  # the map loads it from its key, names as TF has them

    # What the real runs do: the right checkpoint is where fine-tuning starts; the renamed one loads nothing
    for init, loads in ((good, True), (renamed, False)):
        out = tmp_path / f"real_{loads}"
        proc = tf1_bert.real_run(files, out, f"--init_checkpoint={init}")
        assert proc.returncode == 0, proc.stderr[-3000:]  # silently: no error, random weights
        assert _loaded_at_start(out, init) is loads


@pytest.mark.realtf
def test_output_dir_of_an_older_config_is_gl302(trained, tmp_path):
    """bert's issue tracker's "Assign requires shapes of both tensors to match": output_dir still holds
    the checkpoint of a run with another bert_config, so train() restores it into other shapes."""
    files, model_dir = trained
    old = tmp_path / "output"
    shutil.copytree(model_dir, old)
    with open(files["config"], encoding="utf-8") as fh:
        config = json.load(fh)
    files = dict(files, config=str(tmp_path / "bert_config_wider.json"))
    with open(files["config"], "w", encoding="utf-8") as fh:
        json.dump(dict(config, intermediate_size=config["intermediate_size"] * 2), fh)

    code, report, err = tf1_bert.graphlint_run(files, old)
    assert code == 1, err[-3000:]
    assert {f["code"] for f in tf1_bert.errors(report)} == {"GL302"}
    assert any("bert/encoder/layer_0/intermediate/dense/kernel" in json.dumps(f) for f in tf1_bert.errors(report))

    shutil.copytree(model_dir, tmp_path / "real_output")  # the same old checkpoint, restored for real
    proc = tf1_bert.real_run(files, tmp_path / "real_output")
    assert proc.returncode == 1
    assert "InvalidArgumentError" in proc.stderr  # restoring a checkpoint into another shape
