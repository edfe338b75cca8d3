"""A tf.compat.v1.layers model under Keras 3 (TensorFlow 2.16+ without tf-keras) is the
environment, not the model: one line naming the tf-keras install, exit status 2. Proven for real
where TensorFlow lacks the layers (the tf221 venv has no tf-keras); GL901's fix for the other
case (tf-keras installed, TF_USE_LEGACY_KERAS=0) is checked on every TensorFlow."""

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


def _v1_layers_model(tmp_path):
    if has_v1_layers():
        pytest.skip("this TensorFlow has tf.compat.v1.layers (TF 2.15, or tf-keras installed)")
    model = tmp_path / "model.py"
    model.write_text(V1_LAYERS_MODEL, encoding="utf-8")
    return model


LINE = V1_LAYERS_MODEL.splitlines().index('    logits = tf.compat.v1.layers.dense(features["x"], 1)') + 1


def test_a_v1_layers_model_without_tf_keras_is_an_environment_error(tmp_path):
    """Not three GL901 findings: one line naming the install that fixes it, as the API's UsageError."""
    import graphlint
    from graphlint.errors import UsageError
    from graphlint.model.tfcompat import tf

    model = _v1_layers_model(tmp_path)
    with pytest.raises(UsageError) as raised:
        graphlint.lint(str(model), modes=["train"])
    message = str(raised.value)
    minor = ".".join(tf().__version__.split(".")[:2])
    assert message.startswith(f"{model}:{LINE}: AttributeError: ")
    assert f"pip install 'tf-keras=={minor}.*'" in message and "\n" not in message


@pytest.mark.parametrize("command", ["diff", "check"])
def test_the_command_line_exits_2_with_one_line(cli, tmp_path, command):
    model = _v1_layers_model(tmp_path)
    extra = []
    if command == "check":
        import numpy as np
        from realtf.checkpoints import write_variables

        extra = ["--checkpoint", write_variables(str(tmp_path / "md"), {"dense/bias": np.ones([1], "float32")})]
    code, out, err = cli(command, model, "--no-cache", "--jobs", "1", *extra)
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith(f"graphlint: error: {model}:{LINE}: AttributeError: ") and "tf-keras==" in line


def test_graphlint_run_exits_2_with_the_same_line(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import ROOT

    model = _v1_layers_model(tmp_path)
    program = tmp_path / "task.py"
    program.write_text("import tensorflow as tf\nimport model\n\n"
                       "est = tf.estimator.Estimator(model.model_fn, model_dir='md')\n"
                       "est.train(model.input_fn, steps=1)\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "graphlint", "run", "--", str(program)], capture_output=True,
                            text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": ROOT})
    assert result.returncode == 2, result.stdout + result.stderr
    (line,) = result.stderr.splitlines()
    assert f"{model.name}:{LINE}: AttributeError: " in line and "tf-keras==" in line


def test_an_attribute_error_of_the_users_own_is_not_taken_for_it():
    from graphlint.model.tfcompat import missing_tf_keras

    try:
        {}.no_such_method()
    except AttributeError as exc:
        assert missing_tf_keras(exc) is None


def test_the_install_keeps_the_tensorflow_wheel_the_user_has():
    """tf-keras requires the `tensorflow` wheel: next to tensorflow-cpu, --no-deps keeps it out."""
    from graphlint.model.tfcompat import tf_keras_install

    assert tf_keras_install("2.19.1", full_wheel=True) == "pip install 'tf-keras==2.19.*'"
    assert tf_keras_install("2.21.0", full_wheel=False) == "pip install 'tf-keras==2.21.*' --no-deps"


def test_other_failures_keep_the_general_fix(monkeypatch):
    monkeypatch.delenv("TF_USE_LEGACY_KERAS", raising=False)
    keras3 = BuildFailure("AttributeError", "`conv2d` is not available with Keras 3.", None)
    assert "pip install 'tf-keras==" in model_fn_failed.keras_fix(keras3)
    for other in (BuildFailure("AttributeError", "'dict' object has no attribute 'x'", None),
                  BuildFailure("KeyError", "'Keras 3'", None)):
        assert model_fn_failed.keras_fix(other) is None


def test_a_user_who_chose_keras3_is_told_about_the_variable(monkeypatch):
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "0")
    monkeypatch.setattr(model_fn_failed.importlib.util, "find_spec", lambda name: object())  # tf-keras "installed"
    fix = model_fn_failed.keras_fix(BuildFailure("AttributeError", "`dense` is not available with Keras 3.", None))
    assert "TF_USE_LEGACY_KERAS=0" in fix and "set TF_USE_LEGACY_KERAS=1" in fix


def test_a_model_that_uses_the_layers_at_import_time_gets_the_same_line(cli, tmp_path):
    if has_v1_layers():
        pytest.skip("this TensorFlow has tf.compat.v1.layers (TF 2.15, or tf-keras installed)")
    model = tmp_path / "model.py"
    model.write_text("import tensorflow as tf\n\nDense = tf.compat.v1.layers.Dense\n" + V1_LAYERS_MODEL,
                     encoding="utf-8")
    code, out, err = cli("diff", model, "--no-cache", "--jobs", "1")
    assert (code, out) == (2, "")
    (line,) = err.splitlines()
    assert line.startswith(f"graphlint: error: {model}:3: AttributeError: ") and "tf-keras==" in line
