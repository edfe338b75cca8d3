"""The command line: exit codes, bad input as one line + exit 2, determinism, lazy TensorFlow."""

import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, ROOT

BAD = os.path.join(ROOT, "tests", "bad")


def _fixture(name):
    return os.path.join(FIXTURES, name + ".py")


@pytest.mark.parametrize("argv, message", [
    (["diff", "no/such/model.py"], "no/such/model.py: no such file"),
    (["diff", BAD], "is a directory"),
    (["diff", os.path.join(BAD, "notes.txt")], "not a Python file"),
    (["diff", os.path.join(BAD, "syntax_error.py")], "syntax_error.py:1: SyntaxError"),
    (["diff", os.path.join(BAD, "import_error.py")],
     "import_error.py:3: importing the model failed: ModuleNotFoundError: No module named 'this_module_does_not_exist'"),
    (["diff", os.path.join(BAD, "no_model_fn.py")], "no model_fn found; candidates: build_model"),
    (["diff", os.path.join(BAD, "wrong_signature.py")], "model_fn must take a 'features' argument"),
    (["diff", os.path.join(BAD, "not_a_spec.py")], "model_fn returned dict in train, not a tf.estimator.EstimatorSpec"),
    (["diff", os.path.join(BAD, "input_fn_raises.py")], "input_fn_raises.py:2: input_fn raised while building train: FileNotFoundError"),
    (["diff", os.path.join(BAD, "input_fn_bad_return.py")], "input_fn returned int"),
    (["diff", os.path.join(BAD, "no_input_fn.py")], "no input_fn found"),
    (["diff", _fixture("fixed"), "--params", "{bad json"], "--params: invalid JSON"),
    (["diff", _fixture("fixed"), "--params", "[1, 2]"], "--params: expected a JSON object, got list"),
    (["diff", _fixture("fixed"), "--params-eval", "@/no/such.json"], "--params-eval: cannot read /no/such.json"),
    (["diff", _fixture("fixed"), "--model-fn", "nope"], "no callable named 'nope'"),
    (["diff", os.path.join(BAD, "hangs.py"), "--timeout", "1.5"],
     "building train did not finish within 1.5 s (--timeout)"),
])
def test_bad_input_is_one_line_and_exit_2(cli, argv, message):
    code, out, err = cli(*argv)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


def test_unknown_mode_is_a_usage_error(cli):
    with pytest.raises(SystemExit) as exc:
        cli("diff", _fixture("fixed"), "--modes", "train,serve")
    assert exc.value.code == 2


@pytest.mark.parametrize("name, code", [("original", 0), ("attempt1", 1), ("attempt2", 1), ("fixed", 0)])
def test_founding_fixture_exit_codes(cli, name, code):
    assert cli("diff", _fixture(name))[0] == code


def test_attempt1_report_names_the_variables_and_the_if(cli):
    code, out, _ = cli("diff", _fixture("attempt1"))
    lines = open(_fixture("attempt1")).read().splitlines()
    if_line = next(i for i, t in enumerate(lines, 1) if t.strip() == "if not is_training:")
    var_line = next(i for i, t in enumerate(lines, 1) if "get_variable(" in t)
    # one finding for the one cause (the `if`), naming the three counters
    assert "GL101 [error] [eval] eval-only-saved-variable: class_0/sample_num_classid_0 (and 2 more)" in out
    assert all(f"'class_{c}/sample_num_classid_{c}'" in out for c in range(3))
    assert f"attempt1.py:{var_line}: GL101" in out
    assert f"attempt1.py:{if_line}: created under `if not is_training:`" in out


def test_attempt2_report_explains_the_reentered_scope(cli):
    code, out, _ = cli("diff", _fixture("attempt2"))
    lines = open(_fixture("attempt2")).read().splitlines()
    entries = [i for i, t in enumerate(lines, 1) if 'variable_scope("class_" + str(c))' in t]
    assert len(entries) == 2
    first, second = entries
    # One line re-enters the three scopes: one finding names them all.
    assert out.count("GL202 [error]") == 1
    assert "GL202 [error] [eval] reentered-variable-scope: class_0/ (and 2 more)" in out
    assert "under 3 scopes ('class_0/', 'class_1/', 'class_2/')" in out
    assert "but they were built under 'class_0_1/', 'class_1_1/', 'class_2_1/' (e.g. 'class_0_1/auc_classid_0:0')" in out
    assert f"attempt2.py:{first}: scope 'class_0' first entered here" in out
    assert f"attempt2.py:{second}: entered again here: TensorFlow opened name scope 'class_0_1'" in out


def test_output_is_byte_identical_across_runs(cli):
    first = cli("diff", _fixture("attempt2"))
    second = cli("diff", _fixture("attempt2"))
    assert first == second


def test_json_output(cli, tmp_path):
    out_file = tmp_path / "report.json"
    code, out, _ = cli("diff", _fixture("attempt1"), "--format", "json", "--output", out_file)
    assert code == 1 and out == ""
    data = json.loads(out_file.read_text())
    assert data["schema_version"] == 1
    assert data["modes"] == {"train": "built", "eval": "built", "predict": "built"}
    (error,) = [f for f in data["findings"] if f["severity"] == "error"]
    assert error["names"] == [f"class_{c}/sample_num_classid_{c}" for c in range(3)]


def test_modes_option_limits_the_build(cli):
    code, out, _ = cli("diff", _fixture("attempt1"), "--modes", "train,predict")
    assert code == 0
    assert "modes built: train, predict;" in out


def test_package_module_target(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = cli("diff", "tests.cases.shape_by_params", "--params-eval", '{"units": 5}')
    assert code == 1
    assert "'w' has a different shape per mode (train: [4, 3], eval: [4, 5], predict: [4, 3])" in out


def _run(*code):
    return subprocess.run([sys.executable, *code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": ROOT})


def test_help_does_not_import_tensorflow():
    probe = ("import sys\nfrom graphlint.cli import main\n"
             "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print('tensorflow' in sys.modules)")
    result = _run("-c", probe)
    assert result.stdout.strip().endswith("False"), result.stdout + result.stderr


def test_python_dash_m_runs_the_cli():
    result = _run("-m", "graphlint", "diff", "fixtures/per_class_auc/attempt2.py", "--modes", "eval")
    assert result.returncode == 1
    assert "GL202 [error] [eval] reentered-variable-scope: class_0/" in result.stdout


TABLE = "Names in some modes only"
CLEAN = os.path.join(ROOT, "tests", "cases", "clean.py")
EVAL_PROBE_MODEL = """
import tensorflow as tf


def model_fn(features, labels, mode, params):
    w = tf.compat.v1.get_variable("w", [2, 1])
    loss = tf.reduce_mean(tf.square(tf.matmul(features, w) - labels))
    if mode == tf.estimator.ModeKeys.EVAL:
        tf.identity(loss, name="debug/probe")  # class 'other': worth reading
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
        loss, global_step=tf.compat.v1.train.get_or_create_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, predictions=loss)


def input_fn():
    return tf.ones([4, 2]), tf.ones([4, 1])
"""


def test_a_clean_report_is_the_header_and_the_summary(cli):
    """Its mode-diff rows are all of expected classes: nothing to read there."""
    code, out, _ = cli("diff", CLEAN, "--jobs", "1")
    assert code == 0
    header, blank, summary = out.splitlines()
    assert header.startswith("graphlint ") and blank == "" and summary.startswith("nothing that will break: 0 errors")
    code, out, _ = cli("diff", CLEAN, "--jobs", "1", "--format", "json")
    assert json.loads(out)["mode_diff"]  # the JSON keeps the table
    code, out, _ = cli("diff", CLEAN, "--jobs", "1", "--show-all")
    assert TABLE in out


def test_the_table_comes_with_findings_unless_no_table(cli, tmp_path):
    attempt2 = _fixture("attempt2")
    assert TABLE in cli("diff", attempt2, "--jobs", "1")[1]
    code, out, _ = cli("diff", attempt2, "--jobs", "1", "--no-table")
    assert code == 1 and TABLE not in out and "GL202" in out
    config = tmp_path / "graphlint.toml"
    config.write_text("table = false\n")
    assert TABLE not in cli("diff", attempt2, "--jobs", "1", "--config", config)[1]
    assert TABLE in cli("diff", attempt2, "--jobs", "1", "--config", config, "--table")[1]


def test_an_other_row_shows_the_table_without_findings(cli, tmp_path):
    model = tmp_path / "probe.py"
    model.write_text(EVAL_PROBE_MODEL)
    code, out, _ = cli("diff", model, "--jobs", "1", "--modes", "train,eval", "--ignore", "GL104")
    assert code == 0 and "0 errors, 0 warnings, 0 info" in out
    rows = out.split(TABLE)[1].splitlines()
    assert any(row.split()[:2] == ["debug", "other"] for row in rows), out


def test_table_in_the_config_is_a_boolean(cli, tmp_path):
    config = tmp_path / "graphlint.toml"
    config.write_text('table = "no"\n')
    code, _, err = cli("diff", CLEAN, "--config", config)
    assert code == 2 and err.strip().endswith("table: expected true or false, got 'no'")
