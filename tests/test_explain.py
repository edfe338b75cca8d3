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
