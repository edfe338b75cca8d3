"""graphlint explain: TF error logs in, diagnosis out; no TensorFlow without --model."""

import io
import os
import subprocess
import sys

from conftest import FIXTURES, ROOT

LOGS = os.path.join(ROOT, "tests", "logs")


def test_garbage_log_is_not_an_error(cli):
    code, out, err = cli("explain", os.path.join(LOGS, "garbage.log"))
    assert (code, err) == (0, "")
    assert out.strip() == "no known TensorFlow error found"


def test_unreadable_log_is_exit_2(cli):
    code, out, err = cli("explain", "/no/such.log")
    assert code == 2 and "cannot read" in err and len(err.splitlines()) == 1


def test_stdin(cli, monkeypatch):
    text = "NotFoundError: Key net/bias not found in checkpoint\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code, out, _ = cli("explain", "-")
    assert code == 0 and "name: net/bias" in out


def test_attempt1_log_is_diagnosed_from_the_model(cli):
    code, out, _ = cli("explain", os.path.join(LOGS, "tf215_estimator_eval_key_not_found.log"),
                       "--model", os.path.join(FIXTURES, "attempt1.py"))
    assert code == 0
    diagnosis = out.split("-" * 72)[0]
    assert "class_0/sample_num_classid_0" in diagnosis
    assert "GL101 [error] [eval] eval-only-saved-variable: class_0/sample_num_classid_0" in diagnosis
    assert "created under `if not is_training:`" in diagnosis


def test_attempt2_log_is_diagnosed_as_a_reentered_scope(cli):
    code, out, _ = cli("explain", os.path.join(LOGS, "tf215_estimator_hook_tensor_missing.log"),
                       "--model", os.path.join(FIXTURES, "attempt2.py"))
    assert code == 0
    diagnosis = out.split("-" * 72)[0]
    assert "log line 66: class_0/auc_classid_0:0" in diagnosis
    assert "GL202 [error] [eval] reentered-variable-scope: class_0/" in diagnosis
    assert "first entered here" in diagnosis


def test_explain_without_model_does_not_import_tensorflow():
    probe = ("import sys\nfrom graphlint.cli import main\n"
             f"main(['explain', {os.path.join(LOGS, 'several_errors.log')!r}])\n"
             "print('TF', 'tensorflow' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": ROOT})
    out = result.stdout.splitlines()
    assert (out[0], out[-1]) == ("Found 14 known TensorFlow errors.", "TF False"), result.stderr


RENAMED_MODEL = '''
import numpy as np
import tensorflow as tf

params = {}


def input_fn():
    x = np.linspace(0, 1, 32, dtype="float32").reshape(8, 4)
    return tf.data.Dataset.from_tensor_slices(({"x": x}, x[:, :1])).repeat().batch(4)


def model_fn(features, labels, mode):
    w = tf.compat.v1.get_variable("head/kernel", [4, 1])  # 'head/weights' in the checkpoint
    logits = tf.matmul(features["x"], w)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": logits})
    loss = tf.reduce_mean(tf.square(logits - labels))
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=tf.compat.v1.train.GradientDescentOptimizer(
        0.1).minimize(loss, global_step=tf.compat.v1.train.get_global_step()))
'''


def test_the_assignment_map_a_fix_points_to_is_printed(cli, tmp_path):
    """GL301 pairs the key: explain prints the pairing's paste-ready map after the diagnosis."""
    import numpy as np
    from realtf.checkpoints import write_variables

    model = tmp_path / "model.py"
    model.write_text(RENAMED_MODEL)
    prefix = write_variables(str(tmp_path / "md"), {"head/weights": np.ones([4, 1], "float32")}, step=2)
    log = tmp_path / "run.log"
    log.write_text("tensorflow.python.framework.errors_impl.NotFoundError: Key head/kernel not found in checkpoint\n")
    code, out, _ = cli("explain", log, "--model", model, "--checkpoint", prefix)
    assert code == 0
    diagnosis = out.split("-" * 72)[0]
    below = diagnosis.split("Rename pairing", 1)
    assert len(below) == 2 and "GL301" in below[0], diagnosis
    assert f"tf.compat.v1.train.init_from_checkpoint({prefix!r}, {{\n    'head/weights': 'head/kernel',\n}})" \
        in below[1]


def test_no_assignment_map_without_a_rename(cli, tmp_path):
    import numpy as np
    from realtf.checkpoints import write_variables

    model = tmp_path / "model.py"
    model.write_text(RENAMED_MODEL)
    prefix = write_variables(str(tmp_path / "md"), {"head/kernel": np.ones([4, 1], "float32")}, step=2)
    log = tmp_path / "run.log"
    log.write_text("NotFoundError: Key head/kernel not found in checkpoint\n")
    code, out, _ = cli("explain", log, "--model", model, "--checkpoint", prefix)
    assert code == 0
    assert "Rename pairing" not in out and "init_from_checkpoint(" not in out


PERIODIC_HOOK_MODEL = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "logs",
                                        "tf215_periodic_hook_fetch_missing.py"), encoding="utf-8").read()


def test_a_periodic_hooks_failure_is_reproduced_at_its_step(cli, tmp_path):
    """The log's hook fetched a missing name at step 50 only; the model is the run's, unchanged:
    hooks are stepped over their schedules, so the diagnosis is the finding, at step 50."""
    model = tmp_path / "model.py"
    model.write_text(PERIODIC_HOOK_MODEL)
    code, out, _ = cli("explain", os.path.join(LOGS, "tf215_periodic_hook_fetch_missing.log"), "--model", model)
    assert code == 0
    diagnosis = " ".join(out.split("-" * 72)[0].split())  # unwrapped
    assert "log line 64: debug/norm:0 " in diagnosis and "not reproduced" not in diagnosis
    assert "GL201" in diagnosis and "at step 50" in diagnosis
    assert "changed" not in diagnosis


def test_the_periodic_hook_fails_at_step_50_only(tmp_path):
    """What the log above says, for real: 49 steps train, the 50th fails on the hook's fetch."""
    import importlib.util

    import pytest

    from graphlint.model.tfcompat import estimator_api, real_estimator, tf

    if real_estimator() is None:
        pytest.skip("needs the real Estimator (TF 2.15 + tensorflow-estimator)")
    path = tmp_path / "periodic.py"
    path.write_text(PERIODIC_HOOK_MODEL)
    spec = importlib.util.spec_from_file_location("periodic_hook_model", path)
    module = importlib.util.module_from_spec(spec)
    with estimator_api():
        spec.loader.exec_module(module)
        tf().estimator.Estimator(module.model_fn, model_dir=str(tmp_path / "a")).train(module.input_fn, steps=49)
        with pytest.raises((KeyError, ValueError)):
            tf().estimator.Estimator(module.model_fn, model_dir=str(tmp_path / "b")).train(module.input_fn, steps=50)


def test_a_shape_error_not_reproduced_says_graphlint_does_not_run_the_graph(cli):
    code, out, _ = cli("explain", os.path.join(LOGS, "tf215_matmul_shape_mismatch.log"),
                       "--model", os.path.join(ROOT, "tests", "cases", "clean.py"))
    assert code == 0
    diagnosis = " ".join(out.split("-" * 72)[0].split())
    assert "log line 15: logits: not reproduced" in diagnosis
    assert "the shapes of the data the op met when it ran, and graphlint builds the graphs without running them" \
        in diagnosis
    assert "before_run" not in diagnosis  # no hook fetched it
