"""--jobs: modes built in forked workers give the serial report byte for byte (for every case of
tests/cases/, tests/test_cases.py compares the command line's --jobs 3 with the serial API); several
models run each in a process of its own; --shard slices the list deterministically."""

import json
import os

import pytest

from conftest import CASES, ROOT
from graphlint.run import engine
from graphlint.run import fleet
from graphlint.model import parallel
from graphlint.errors import UsageError
from graphlint.report import json as json_report

FLEET = os.path.join(ROOT, "tests", "fleet")
pytestmark = pytest.mark.skipif(not parallel.available(), reason="needs os.fork")


def test_parallel_with_checkpoint_is_byte_identical(tmp_path):
    path = os.path.join(CASES, "warm_start_wrong_map.py")
    ckpt = os.path.join(CASES, "warm_start_ckpt", "model.ckpt-1")
    serial, par = (engine.check(path, ckpt, jobs=j) for j in (1, 2))
    assert serial.renames == par.renames
    assert json_report.render(serial) == json_report.render(par)


def test_model_prints_go_to_stderr_in_mode_order(capfd):
    path = os.path.join(FLEET, "model_a.py")
    outs = []
    for jobs in (1, 3):
        engine.diff(path, jobs=jobs)
        captured = capfd.readouterr()
        assert "model_a" not in captured.out  # stdout is the report's
        outs.append([line for line in captured.err.splitlines() if line.startswith("model_a")])
    assert outs[0] == outs[1]
    assert outs[0] == [f"model_a building {m} (imports seen: 1)" for m in ("train", "eval", "infer")]


def test_usage_error_in_a_worker_is_a_usage_error():
    with pytest.raises(UsageError, match="input_fn raised"):
        engine.diff(os.path.join(ROOT, "tests", "bad", "input_fn_raises.py"), jobs=2)


def test_a_worker_that_dies_is_a_one_line_usage_error():
    with pytest.raises(UsageError, match=r"building eval: the worker process exited \(3\)"):
        engine.diff(os.path.join(FLEET, "dies_in_eval.py"), jobs=3)


def test_models_run_in_isolation_and_in_list_order():
    models = [os.path.join(FLEET, "model_b.py"), os.path.join(FLEET, "model_a.py")]
    for jobs in (1, 2):
        outcomes = fleet.run_models(models, jobs)
        assert [o.model for o in outcomes] == models
        assert all(o.error is None for o in outcomes), [o.error for o in outcomes]
        assert [sorted(o.report.snapshots["train"].variables)[0] for o in outcomes] == ["global_step", "global_step"]
        assert "w_b" in outcomes[0].report.snapshots["train"].variables


def test_shards_partition_the_sorted_list():
    models = [f"m{i}.py" for i in range(11)]
    shards = [fleet.shard(models, k, 4) for k in range(1, 5)]
    assert sorted(m for s in shards for m in s) == sorted(models)
    assert fleet.shard(list(reversed(models)), 2, 4) == shards[1]
    for bad in ("0/4", "5/4", "1/0", "a/b", "1"):
        with pytest.raises(UsageError, match="--shard"):
            fleet.parse_shard(bad)


def test_cli_several_models_one_json_document(cli):
    a, b = (os.path.join(FLEET, f"model_{n}.py") for n in "ab")
    code, out, err = cli("diff", b, a, "--format", "json", "--jobs", "2")
    assert code == 0, err
    doc = json.loads(out)
    assert [m["model"] for m in doc["models"]] == sorted([a, b]) and doc["errors"] == []
    code1, out1, _ = cli("diff", b, a, "--format", "json", "--jobs", "1")
    assert (code1, out1) == (code, out)



def test_cli_json_stays_parseable_when_the_model_prints(capfd):
    from graphlint.cli import main

    a = os.path.join(FLEET, "model_a.py")
    for jobs in ("1", "3"):  # a model that prints while it builds: stdout is still only the report
        main(["diff", a, "--format", "json", "--jobs", jobs])
        out, err = capfd.readouterr()
        assert json.loads(out)["model"] == a and "model_a building train" in err


def test_cli_glob_shard_and_a_bad_model(cli, tmp_path):
    pattern = os.path.join(FLEET, "model_*.py")
    code, out, err = cli("diff", pattern, os.path.join(FLEET, "nosuch.py"), "--shard", "1/1", "--format", "json")
    assert code == 2
    doc = json.loads(out)
    assert len(doc["models"]) == 2
    assert doc["errors"][0]["model"].endswith("nosuch.py") and "no such file" in doc["errors"][0]["message"]
    assert "graphlint: error:" in err
    code, out, err = cli("diff", pattern, "--shard", "2/2")
    assert code == 0 and out.strip().endswith("1 model: 0 will break, 0 errors, 0 warnings, 0 info")
    code, out, err = cli("diff", os.path.join(FLEET, "zz*.py"))
    assert code == 2 and "no model file matches" in err


def test_api_lint_jobs():
    import graphlint

    path = os.path.join(CASES, "eval_counter.py")
    serial, par = graphlint.lint(path), graphlint.lint(path, jobs=2)
    assert serial.to_json() == par.to_json() and [f.code for f in par.findings]


def test_cli_models_from_config_with_a_glob(cli, tmp_path):
    conf = tmp_path / "pyproject.toml"
    conf.write_text(f'[tool.graphlint]\nmodels = ["{FLEET}/model_*.py"]\n')
    code, out, err = cli("diff", "--config", conf, "--format", "json", "--jobs", "2")
    assert code == 0, err
    assert [os.path.basename(m["model"]) for m in json.loads(out)["models"]] == ["model_a.py", "model_b.py"]


def test_when_every_mode_fails_the_error_is_the_first_modes(tmp_path):
    """Serial stops at TRAIN's error; in parallel EVAL fails first (TRAIN's worker waits 2 s before
    it fails; serially that wait would only cost time), but TRAIN's is reported."""
    for jobs, wait in ((1, 0), (3, 2)):
        model = tmp_path / f"all_fail_{jobs}.py"
        model.write_text(
            "import time\nimport tensorflow as tf\n\nparams = {}\n\n\n"
            "def input_fn(params, mode):\n"
            f"    if mode == tf.estimator.ModeKeys.TRAIN:\n        time.sleep({wait})\n"
            "    raise OSError(f'no data for {mode}')\n\n\n"
            "def model_fn(features, labels, mode, params):\n    pass\n")
        with pytest.raises(UsageError, match="building train: OSError: no data for train"):
            engine.diff(str(model), jobs=jobs)


WARNING_MODEL = '''
import warnings

import tensorflow as tf


class OldApiWarning(UserWarning):  # the model's own class: the parent must still show it
    pass


def model_fn(features, labels, mode, params):
    warnings.warn("old_layer is deprecated", UserWarning)
    warnings.warn("old_scope is deprecated", OldApiWarning)
    w = tf.compat.v1.get_variable("w", [2, 1])
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=tf.matmul(features["x"], w))
    loss = tf.reduce_mean(tf.square(tf.matmul(features, w) - labels))
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
        loss, global_step=tf.compat.v1.train.get_or_create_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def input_fn():
    return tf.ones([4, 2]), tf.ones([4, 1])


def serving_input_receiver_fn():
    x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
    return tf.estimator.export.ServingInputReceiver({"x": x}, {"x": x})
'''


@pytest.mark.parametrize("jobs", ["1", "3"])
@pytest.mark.parametrize("command", [["diff"], ["check", "--serving-input-fn", "serving_input_receiver_fn"]],
                         ids=["diff", "check-serving"])
def test_the_models_warnings_are_shown_once_per_run(tmp_path, jobs, command):
    """Not once per mode: each forked worker starts with the parent's warning registry, and the
    serving graph is built from a fresh import of the model."""
    import subprocess
    import sys

    model = tmp_path / "warns.py"
    model.write_text(WARNING_MODEL)
    result = subprocess.run([sys.executable, "-m", "graphlint", *command, str(model), "--jobs", jobs, "--no-cache",
                             "--modes", "train,eval"], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": ROOT})
    assert result.returncode == 0, result.stderr
    shown = [line for line in result.stderr.splitlines() if "Warning: " in line]
    assert shown == [f"{model}:12: UserWarning: old_layer is deprecated",
                     f"{model}:13: OldApiWarning: old_scope is deprecated"]
