"""GL901's fix for a tf.compat.v1.layers model under Keras 3 (TensorFlow 2.16+ without tf-keras):
install the keras extra. Proven for real where TensorFlow lacks the layers (the tf221 venv has no
tf-keras); the choice of fix is checked on every TensorFlow."""

import pytest

from corpus import has_v1_layers
from graphlint.model.snapshot import BuildFailure
from graphlint.rules import model_fn_failed

V1_LAYERS_MODEL = '''
import numpy as np
import tensorflow as tf

params = {}


def input_fn(params):
    x = np.zeros((8, 4), "float32")
    return tf.data.Dataset.from_tensor_slices(({"x": x}, x[:, :1])).repeat().batch(4)


def model_fn(features, labels, mode, params):
    logits = tf.compat.v1.layers.dense(features["x"], 1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": logits})
    loss = tf.reduce_mean(tf.square(logits - labels))
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=tf.no_op())
'''


def test_a_v1_layers_model_under_keras3_gets_the_keras_extra_as_its_fix(tmp_path):
    if has_v1_layers():
        pytest.skip("this TensorFlow has tf.compat.v1.layers (TF 2.15, or tf-keras installed)")
    import graphlint

    model = tmp_path / "model.py"
    model.write_text(V1_LAYERS_MODEL, encoding="utf-8")
    report = graphlint.lint(str(model), modes=["train"])
    (finding,) = [f for f in report.findings if f.code == "GL901"]
    assert "AttributeError" in finding.message
    assert model_fn_failed.KERAS_EXTRA in finding.fix and "TF_USE_LEGACY_KERAS=1" in finding.fix
    assert finding.location.line == V1_LAYERS_MODEL.splitlines().index(
        '    logits = tf.compat.v1.layers.dense(features["x"], 1)') + 1


def test_other_failures_keep_the_general_fix(monkeypatch):
    monkeypatch.delenv("TF_USE_LEGACY_KERAS", raising=False)
    keras3 = BuildFailure("AttributeError", "`conv2d` is not available with Keras 3.", None)
    assert model_fn_failed.KERAS_EXTRA in model_fn_failed.keras_fix(keras3)
    for other in (BuildFailure("AttributeError", "'dict' object has no attribute 'x'", None),
                  BuildFailure("KeyError", "'Keras 3'", None)):
        assert model_fn_failed.keras_fix(other) is None


def test_a_user_who_chose_keras3_is_told_about_the_variable(monkeypatch):
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "0")
    monkeypatch.setattr(model_fn_failed.importlib.util, "find_spec", lambda name: object())  # tf-keras "installed"
    fix = model_fn_failed.keras_fix(BuildFailure("AttributeError", "`dense` is not available with Keras 3.", None))
    assert "TF_USE_LEGACY_KERAS=0" in fix and "set TF_USE_LEGACY_KERAS=1" in fix
