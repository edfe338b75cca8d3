"""GL403 and GL310 report bugs TensorFlow never reports: each verdict is checked against a real
training run (tests/realtf/) and the checkpoint it writes."""

import os
import textwrap

import numpy as np
import pytest

from conftest import CASES
from corpus import has_v1_layers, lint_case
from graphlint.cli import main
from graphlint.model.tfcompat import estimator_api, real_estimator, tf
from realtf import run_for_real

SOURCE = os.path.join(CASES, "warm_start_ckpt", "model.ckpt-1")  # holds enc/w [4, 3]
needs_v1_layers = pytest.mark.skipif(not has_v1_layers(), reason="tf.compat.v1.layers needs tf-keras on TF 2.16+")
needs_estimator = pytest.mark.skipif(real_estimator() is None,
                                     reason="Estimator(warm_start_from=...) needs the real tensorflow-estimator")


def _codes(report, code):
    """Every name the code's findings stand for (a grouped finding names all of its cause's)."""
    return sorted(n for f in report.findings if f.code == code for n in (f.names or (f.name,)))


def _trained(case, workdir, steps=3):
    """Train the model for real (a case name, or a path) and open the checkpoint it wrote."""
    outcome = run_for_real(os.path.join(CASES, case), str(workdir), train_steps=steps, eval_steps=1)
    assert outcome.train_error is None, outcome.train_error
    return tf().train.load_checkpoint(str(workdir))


# --- GL403: moving-average updates the train op never runs ----------------------------------

@pytest.mark.realtf
@needs_v1_layers
def test_batch_norm_without_update_deps_keeps_initial_statistics(tmp_path):
    case = "batch_norm_updates_not_run.py"
    assert _codes(lint_case(os.path.join(CASES, case)), "GL403") == [
        "batch_normalization/moving_mean", "batch_normalization/moving_variance"]
    ckpt = _trained(case, tmp_path)
    assert ckpt.get_tensor("global_step") == 3  # training ran
    np.testing.assert_array_equal(ckpt.get_tensor("batch_normalization/moving_mean"), np.zeros(4))
    np.testing.assert_array_equal(ckpt.get_tensor("batch_normalization/moving_variance"), np.ones(4))


@pytest.mark.realtf
@needs_v1_layers
def test_batch_norm_with_update_deps_moves_statistics(tmp_path):
    case = "batch_norm_updates_run.py"
    assert _codes(lint_case(os.path.join(CASES, case)), "GL403") == []
    ckpt = _trained(case, tmp_path)
    assert np.abs(ckpt.get_tensor("batch_normalization/moving_mean")).max() > 0
    assert np.abs(ckpt.get_tensor("batch_normalization/moving_variance") - 1).max() > 0


@pytest.mark.realtf
@pytest.mark.parametrize("case, moved", [("moving_average_not_run.py", False), ("moving_average_run.py", True)])
def test_hand_written_moving_average(case, moved, tmp_path):
    """Variables and an assign_sub, no v1 layers: the same verdict and the same fact on every TF."""
    assert bool(_codes(lint_case(os.path.join(CASES, case)), "GL403")) is not moved
    value = _trained(case, tmp_path).get_tensor("norm/moving_mean")
    assert bool(np.abs(value).max() > 0) is moved


SLIM_MODEL = '''
import tensorflow as tf
import tf_slim as slim

from graphlint.rules.example_common import input_fn, linear, params


def model_fn(features, labels, mode, params):
    training = mode == tf.estimator.ModeKeys.TRAIN
    x = tf.compat.v1.layers.batch_normalization(features["x"], training=training, name="bn")  # slim's own
    # batch_norm fails on TF 2.15 (tf_slim 1.1 reads ops.Tensor); its train op is what this is about
    logits = linear({"x": x}, params["units"])
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if training:
        train_op = slim.learning.create_train_op(loss, tf.compat.v1.train.GradientDescentOptimizer(0.1))
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
'''


@pytest.mark.realtf
@needs_v1_layers
def test_tf_slim_create_train_op_runs_the_updates(tmp_path):
    pytest.importorskip("tf_slim", reason="tf_slim is not installed")
    path = tmp_path / "slim_model.py"
    path.write_text(SLIM_MODEL)
    report = lint_case(path)
    assert report.snapshots["train"].built, report.snapshots["train"].failure
    assert _codes(report, "GL403") == [], [f.message for f in report.findings]
    ckpt = _trained(str(path), tmp_path / "run")
    assert np.abs(ckpt.get_tensor("bn/moving_mean")).max() > 0


# --- GL310: a warm start that loads nothing ---------------------------------------------------

@pytest.mark.realtf
def test_empty_shared_names_map_loads_nothing(tmp_path):
    """TF accepts the empty map; after a step at learning rate 0 the weights are not the source's.
    The map GL310 prints (its twin case) loads them."""
    (finding,) = [f for f in lint_case(os.path.join(CASES, "warm_start_empty_map.py")).findings if f.code == "GL310"]
    assert "loads 0 of the 1" in finding.message and "{'enc/': 'encoder/'}" in finding.fix
    source = tf().train.load_checkpoint(SOURCE).get_tensor("enc/w")
    bug = _trained("warm_start_empty_map.py", tmp_path / "bug", steps=1).get_tensor("encoder/w")
    assert not np.allclose(bug, source)
    assert lint_case(os.path.join(CASES, "warm_start_scope_map.py")).findings == []
    fixed = _trained("warm_start_scope_map.py", tmp_path / "fix", steps=1).get_tensor("encoder/w")
    np.testing.assert_array_equal(fixed, source)


HEAD_MODEL = f'''
import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope("enc"):
        hidden = linear(features, params["units"])
    logits = tf.matmul(hidden, tf.compat.v1.get_variable("head/w", [params["units"], 1]))
    tf.compat.v1.train.init_from_checkpoint({SOURCE!r}, {{"enc/": "enc/"}})
    return spec(mode, logits, labels)
'''


def test_a_map_that_leaves_only_a_new_head_untouched_is_quiet(tmp_path):
    """BERT fine-tuning: the encoder loads, the new head does not, and nothing in the checkpoint fits it."""
    path = tmp_path / "model.py"
    path.write_text(HEAD_MODEL)
    assert _codes(lint_case(path), "GL310") == []


SETTINGS_MODEL = '''
import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear

params = {"units": 3}


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope(params.get("scope", "encoder")):
        logits = linear(features, params["units"])
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits})
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.0).minimize(
            loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
'''


@pytest.fixture
def settings_model(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(SETTINGS_MODEL))
    return path


def _settings_finding(model, *args):
    report = lint_case(model, "--warm-start", SOURCE, *args)
    return [f for f in report.findings if f.code == "GL310"]


@pytest.mark.realtf
@needs_estimator
def test_warm_start_option_predicts_what_estimator_does(settings_model, tmp_path):
    """--warm-start PATH: the renamed checkpoint makes Estimator(warm_start_from=PATH) raise, and the
    var_name_to_prev_var_name map in GL310's fix makes it load the weights."""
    (finding,) = _settings_finding(settings_model)
    assert finding.severity == "error" and "{'encoder/w': 'enc/w'}" in finding.fix
    from realtf import _import_model

    model = _import_model(str(settings_model))
    t = tf()
    with estimator_api():
        est = t.estimator.Estimator(model.model_fn, model_dir=str(tmp_path / "bug"), params=model.params,
                                    warm_start_from=SOURCE)
        with pytest.raises(ValueError):
            est.train(model.input_fn, steps=1)
        settings = t.estimator.WarmStartSettings(SOURCE, var_name_to_prev_var_name={"encoder/w": "enc/w"})
        t.estimator.Estimator(model.model_fn, model_dir=str(tmp_path / "fix"), params=model.params,
                              warm_start_from=settings).train(model.input_fn, steps=1)
    trained = t.train.load_checkpoint(str(tmp_path / "fix")).get_tensor("encoder/w")
    np.testing.assert_array_equal(trained, t.train.load_checkpoint(SOURCE).get_tensor("enc/w"))


def test_warm_start_option_is_quiet_when_the_names_match(settings_model):
    assert _settings_finding(settings_model, "--params", '{"scope": "enc"}') == []


def test_warm_start_option_bad_path_is_one_line(settings_model, tmp_path, capsys):
    assert main(["diff", str(settings_model), "--jobs", "1", "--warm-start", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("graphlint: error: --warm-start:")


def test_warm_start_config_key(settings_model, tmp_path):
    """`warm-start` in the config, relative to the config's folder, as --warm-start."""
    rel = os.path.relpath(SOURCE, tmp_path)
    (tmp_path / "pyproject.toml").write_text(f'[tool.graphlint]\nwarm-start = "{rel}"\n')
    assert [f.severity for f in lint_case(settings_model).findings if f.code == "GL310"] == ["error"]
