"""Parity with the old model given as its training program: `graphlint migrate OLD --to NEW
--old-program -- train_tf1.py FLAGS` runs the program as `graphlint run` does (Estimator's entry
points recorded, nothing trained), takes its Estimator's model_fn and params, and compares as
--old-model does: the same findings and the same numbers on the same batch. tests/migrate/train_tf1.py
is the program, in the public style (argparse flags, Estimator(model_fn, model_dir, params),
train_and_evaluate); on TensorFlow 2.15 it also trains the checkpoint for real."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from migrate import tf1_models
from migrate.harness import Checkpoints, migrate, need_torch, port, tf1_gate_order_mapping

PROGRAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrate", "train_tf1.py")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    return Checkpoints(tmp_path_factory.mktemp("old"))


def _program(prefix, model, *flags, model_dir=None):
    ema = ["--ema_decay", "0.5"] if model == "mlp" else []
    return ["--old-program", "--", PROGRAM, "--model", model, "--model_dir",
            model_dir or os.path.dirname(prefix), *ema, *flags]


def _migrate(cli, *args):
    """harness.migrate with --format json before --old-program: the rest of the line is the program's."""
    i = args.index("--old-program")
    code, out, err = cli("migrate", *args[:i], "--format", "json", *args[i:])
    assert code in (0, 1), err
    return code, json.loads(out)


def _old_model(tmp_path, model):
    from test_migrate_parity import _old_model as written

    return written(tmp_path, model)


def _files(folder):
    """{path: bytes} of every file under `folder` (an Estimator's model_dir has an eval/ folder)."""
    out = {}
    for here, _, names in os.walk(folder):
        for name in names:
            with open(os.path.join(here, name), "rb") as fh:
                out[os.path.relpath(os.path.join(here, name), folder)] = fh.read()
    return out


def _same_parity(a, b):
    """The findings and every number of two reports' parity (what the old model is aside)."""
    a_parity, b_parity = ({k: v for k, v in r["parity"].items() if k != "old_model"} for r in (a, b))
    assert a["findings"] == b["findings"]
    assert a_parity == b_parity


@pytest.mark.realtf
@pytest.mark.parametrize("model,name", [("lstm", "lstm_torch"), ("mlp", "mlp_torch")])
def test_correct_port_from_the_program_is_what_the_model_file_gives(model, name, checkpoints, cli, tmp_path):
    need_torch()
    old, ema = checkpoints[model], ["--use-ema"] if model == "mlp" else []
    batch = _old_model(tmp_path, model)[2:]
    before = _files(os.path.dirname(old))
    code, report = _migrate(cli, old, "--to", port(name), *ema, *batch, *_program(old, model))
    assert (code, report["findings"]) == (0, [])
    (out,) = report["parity"]["outputs"]
    assert out["shape"] == [tf1_models.BATCH, 3] and out["max_abs"] < 1e-5 and out["rel_l2"] < 1e-5
    assert report["parity"]["layers"] and all(r["agrees"] for r in report["parity"]["layers"])
    _, from_file = migrate(cli, old, "--to", port(name), *ema, *_old_model(tmp_path, model))
    _same_parity(report, from_file)
    assert _files(os.path.dirname(old)) == before, "the program's model_dir was written"


@pytest.mark.realtf
def test_without_batch_the_program_feeds_its_evaluate_input_fn(checkpoints, cli):
    need_torch()
    old = checkpoints["lstm"]
    code, report = _migrate(cli, old, "--to", port("lstm_torch"), *_program(old, "lstm"))
    assert (code, report["findings"]) == (0, [])
    assert report["parity"]["batch"].startswith("the input_fn of the program's evaluate at ")
    (out,) = report["parity"]["outputs"]
    assert out["shape"] == [tf1_models.BATCH, 3] and out["max_abs"] < 1e-5


@pytest.mark.realtf
def test_wrong_gate_order_is_one_finding_at_the_lstm_as_with_the_model_file(checkpoints, cli, tmp_path):
    need_torch()
    old, path = checkpoints["lstm"], tmp_path / "mapping.json"
    tf1_gate_order_mapping(cli, old, path)
    batch = _old_model(tmp_path, "lstm")[2:]
    code, report = _migrate(cli, old, "--to", port("lstm_torch"), "--mapping", path, *batch, *_program(old, "lstm"))
    assert code == 1
    assert [(f["code"], f["name"]) for f in report["findings"]] == [("GL607", "lstm")]
    _, from_file = migrate(cli, old, "--to", port("lstm_torch"), "--mapping", path, *_old_model(tmp_path, "lstm"))
    _same_parity(report, from_file)


@pytest.mark.realtf
def test_raw_weights_where_the_program_evaluated_the_shadows_is_one_finding(checkpoints, cli, tmp_path):
    """The program's PREDICT restores the EMA shadows (its Scaffold's Saver): the raw variables
    converted differ at the first layer already."""
    need_torch()
    old = checkpoints["mlp"]
    batch = _old_model(tmp_path, "mlp")[2:]
    code, report = _migrate(cli, old, "--to", port("mlp_torch"), "--no-use-ema", *batch, *_program(old, "mlp"))
    assert code == 1
    assert [(f["code"], f["name"], f["names"]) for f in report["findings"]] == [("GL607", "0", ["0", "logits"])]
    _, from_file = migrate(cli, old, "--to", port("mlp_torch"), "--no-use-ema", *_old_model(tmp_path, "mlp"))
    _same_parity(report, from_file)


@pytest.mark.realtf
@pytest.mark.parametrize("holder", ["first", "finetuned"])
def test_of_several_estimators_the_one_whose_model_dir_holds_old_is_taken(holder, checkpoints, cli, tmp_path):
    """--finetune_dir makes a second Estimator (warm-started, another learning rate, trained by
    train() where the first is by train_and_evaluate): OLD's folder says which is taken."""
    old, finetuned = checkpoints["mlp"], tmp_path / "finetuned"
    if holder == "finetuned":
        shutil.copytree(os.path.dirname(old), finetuned)
        old = str(finetuned / os.path.basename(old))
    code, report = _migrate(cli, old, "--to", port("mlp_tfmodule"), "--use-ema",
                            *_program(checkpoints["mlp"], "mlp", "--finetune_dir", finetuned))
    assert (code, report["findings"]) == (0, [])
    assert report["parity"]["outputs"][0]["max_abs"] < 1e-5
    taken = os.path.dirname(checkpoints["mlp"]) if holder == "first" else str(finetuned)
    assert report["parity"]["old_model"].endswith(f", model_dir {taken}]")  # (tf.estimator.Estimator is EstimatorV2)
    fed_by = "evaluate" if holder == "first" else "train"  # train_and_evaluate's EvalSpec; train()'s input_fn
    assert report["parity"]["batch"].startswith(f"the input_fn of the program's {fed_by} at ")


@pytest.mark.realtf
@pytest.mark.parametrize("where", ["neither", "both"])
def test_of_several_estimators_none_or_two_holding_old_is_a_usage_error(where, checkpoints, cli, tmp_path):
    old = checkpoints["mlp"]
    first = tmp_path / "first" if where == "neither" else os.path.dirname(old)
    second = tmp_path / "second" if where == "neither" else os.path.dirname(old)
    code, out, err = cli("migrate", old, "--to", port("mlp_tfmodule"), "--use-ema",
                         *_program(old, "mlp", "--finetune_dir", second, model_dir=first))
    assert (code, out) == (2, "")
    (line,) = err.strip().splitlines()
    assert line.startswith("graphlint: error: --old-program: ") and "Traceback" not in err
    assert f"model_dir={first}" in line and f"model_dir={second}" in line


@pytest.mark.realtf
def test_a_program_that_makes_no_estimator_call_is_a_usage_error(checkpoints, cli, tmp_path):
    program = tmp_path / "train.py"
    program.write_text("import argparse\n\nargparse.ArgumentParser().parse_args()\nprint('nothing to train')\n")
    code, out, err = cli("migrate", checkpoints["mlp"], "--to", port("mlp_tfmodule"), "--use-ema",
                         "--old-program", "--", program)
    assert (code, out) == (2, "")
    printed, line = err.strip().splitlines()  # the program's own print goes to stderr, then one line
    assert printed == "nothing to train"
    assert line.startswith("graphlint: error: --old-program: ") and "no Estimator call" in line


@pytest.mark.parametrize("argv,words", [
    (["--old-model", "m.py", "--old-program", "--", "train.py"], "pass one"),
    (["--old-program", "--"], "needs a program"),
    (["--old-program"], "needs a program"),
    (["--model-fn", "fn", "--old-program", "--", "train.py"], "--model-fn"),
])
def test_bad_old_program_arguments_are_one_line_before_anything_is_read(argv, words, cli, tmp_path):
    code, out, err = cli("migrate", tmp_path / "nothing", "--to", tmp_path / "new.py", *argv)
    assert (code, out) == (2, "") and words in err and len(err.strip().splitlines()) == 1


def test_the_program_takes_the_rest_of_the_line_its_own_flags_included():
    from graphlint.cli import parser, rest_of_line

    for tail in (["--", "train.py", "--format", "x", "--to", "y"], ["train.py", "--format", "x", "--to", "y"]):
        argv, rest = rest_of_line(["migrate", "OLD", "--to", "new.py", "--format", "json", "--old-program", *tail])
        args = parser().parse_args(argv)
        assert (args.to, args.format, rest) == ("new.py", "json", {"old_program": ["train.py", "--format", "x",
                                                                                  "--to", "y"]})
    # only migrate has it, and only before a `--`
    assert rest_of_line(["run", "--", "train.py", "--old-program"]) == (["run", "--", "train.py", "--old-program"], {})


@pytest.mark.realtf
def test_a_checkpoint_the_real_estimator_trained_is_compared_with_the_program(cli, tmp_path):
    """TensorFlow 2.15 with tensorflow-estimator: the program trains the MLP for real (Adam, EMA
    0.5), then graphlint runs it again with its entry points recorded and compares the tf.Module
    port: the shadows converted agree; the raw ones are one GL607."""
    pytest.importorskip("tensorflow_estimator", reason="training for real needs the real tf.estimator")
    model_dir = tmp_path / "model"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    flags = ["--model", "mlp", "--ema_decay", "0.5", "--model_dir", str(model_dir)]
    subprocess.run([sys.executable, PROGRAM, *flags], check=True, env=env, capture_output=True, timeout=600)
    before = _files(model_dir)
    code, report = _migrate(cli, model_dir, "--to", port("mlp_tfmodule"), "--use-ema", "--old-program", "--", PROGRAM,
                           *flags)
    assert (code, report["findings"]) == (0, [])
    assert report["old"].endswith(f"model.ckpt-{tf1_models.STEPS}")
    (out,) = report["parity"]["outputs"]
    assert out["shape"] == [tf1_models.BATCH, 3] and out["max_abs"] < 1e-5
    code, raw = _migrate(cli, model_dir, "--to", port("mlp_tfmodule"), "--no-use-ema", "--old-program", "--",
                        PROGRAM, *flags)
    assert code == 1 and [f["code"] for f in raw["findings"]] == ["GL607"]
    assert _files(model_dir) == before, "the program's model_dir was written"
