"""`graphlint run -- PROGRAM.py args`: users' training programs, unchanged, in the styles public code
bases use (tests/programs/). Every verdict is proven by running the same program for real, without
graphlint, on TF 2.15 with the real Estimator: a clean variant trains and evaluates, a planted bug
fails the real run with the exception graphlint predicts.

Programs run in subprocesses: absl flags can be defined once per process, and a program is run
as `python PROGRAM.py` runs it.
"""

import hashlib
import json
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT

PROGRAMS = os.path.join(ROOT, "tests", "programs")
BERT = os.path.join(PROGRAMS, "bert_style", "run_classifier.py")
OFFICIAL = os.path.join(PROGRAMS, "official", "mnist_main.py")
SUBCLASS = os.path.join(PROGRAMS, "subclass", "task.py")
CANNED = os.path.join(PROGRAMS, "canned", "train.py")
RANKING = os.path.join(PROGRAMS, "ranking_style", "train.py")

NOT_FOUND = "NotFoundError"  # restore: a key the checkpoint lacks
MISSING_FETCH = "KeyError"  # a hook names a tensor its graph does not have
BAD_SHAPE = "InvalidArgumentError"  # restore: a shape differs from the checkpoint's
WARM_START = "ValueError"  # warm start: init_from_checkpoint finds no such tensor

# (program, model_dir flag, program args, error codes graphlint reports, exception the real run raises)
CASES = {
    "bert-clean": (BERT, "--output_dir", [], set(), None),
    "bert-eval-hook": (BERT, "--output_dir", ["--plant=eval_hook"], {"GL201"}, MISSING_FETCH),
    "bert-eval-variable": (BERT, "--output_dir", ["--plant=eval_variable"], {"GL101"}, NOT_FOUND),
    "bert-batch-flag-shape": (BERT, "--output_dir", ["--plant=batch_variable"], {"GL106"}, BAD_SHAPE),  # GL102 its symptom
    "official-clean": (OFFICIAL, "--model_dir", [], set(), None),
    "official-evalspec-hook": (OFFICIAL, "--model_dir", ["--plant=eval_hook"], {"GL201"}, MISSING_FETCH),
    "official-eval-variable": (OFFICIAL, "--model_dir", ["--plant=eval_variable"], {"GL101"}, NOT_FOUND),
    "subclass-clean": (SUBCLASS, "--model_dir", [], set(), None),
    "subclass-eval-hook": (SUBCLASS, "--model_dir", ["--plant=eval_hook"], {"GL201"}, MISSING_FETCH),
    "subclass-eval-variable": (SUBCLASS, "--model_dir", ["--plant=eval_variable"], {"GL101"}, NOT_FOUND),
    "ranking-clean": (RANKING, "--output_dir", [], set(), None),
    "ranking-eval-variable": (RANKING, "--output_dir", ["--plant=eval_variable"], {"GL101"}, NOT_FOUND),
}
_RAISED = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception)):", re.M)
NEEDS_V1_LAYERS = {OFFICIAL, SUBCLASS}


def _env():
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("TF_CONFIG", None)
    return env


def graphlint_run(cwd, *argv):
    """(exit status, JSON report or None, stderr) of `graphlint run --format json -- argv`."""
    proc = subprocess.run([sys.executable, "-m", "graphlint", "run", "--format", "json", "--jobs", "1", "--",
                           *map(str, argv)], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300)
    return proc.returncode, (json.loads(proc.stdout) if proc.stdout.strip() else None), proc.stderr


def run_for_real(cwd, *argv):
    """(exit status, name of the exception that ended the run or None): the program run by Python."""
    proc = subprocess.run([sys.executable, *map(str, argv)], cwd=cwd, env=_env(), capture_output=True,
                          text=True, timeout=600)
    raised = [m.group(1) for m in _RAISED.finditer(proc.stderr)]  # the traceback's exception lines
    return proc.returncode, (raised[-1].rsplit(".", 1)[-1] if proc.returncode and raised else None)


def _errors(report) -> set:
    docs = report.get("models", [report])
    return {f["code"] for doc in docs for f in doc["findings"] if f["severity"] == "error"}


def _real_estimator() -> bool:
    from graphlint.model.tfcompat import real_estimator

    return real_estimator() is not None


def _skip_without_v1_layers(program):
    from corpus import has_v1_layers

    if program in NEEDS_V1_LAYERS and not has_v1_layers():
        pytest.skip("tf.compat.v1.layers needs tf-keras on TensorFlow 2.16+")


@pytest.mark.realtf
@pytest.mark.parametrize("case", sorted(CASES))
def test_graphlint_run_predicts_what_the_program_really_does(case, tmp_path):
    program, dir_flag, args, codes, real_exc = CASES[case]
    _skip_without_v1_layers(program)
    code, report, err = graphlint_run(tmp_path, program, dir_flag, tmp_path / "gl_model", *args)
    assert code == (1 if codes else 0), err
    assert _errors(report) == codes
    assert not (tmp_path / "gl_model").exists()  # nothing trained, nothing written
    if not _real_estimator():
        return  # on TF 2.16+ the verdicts are the stand-in's; the proof needs the real Estimator
    real_code, exc = run_for_real(tmp_path, program, dir_flag, tmp_path / "real_model", *args)
    assert (real_code == 0) == (not codes)
    assert exc == real_exc


def test_the_report_names_the_program_lines_that_made_the_calls(tmp_path):
    _skip_without_v1_layers(SUBCLASS)
    code, report, err = graphlint_run(tmp_path, SUBCLASS, "--model_dir", tmp_path / "m", "--plant=eval_hook")
    model = report["model"]
    for entry, line in (("train", 47), ("evaluate", 51), ("predict", 53)):
        assert f"{entry} at " in model and f"task.py:{line}" in model
    (finding,) = [f for f in report["findings"] if f["code"] == "GL201"]
    assert finding["location"]["line"] == 50  # the LoggingTensorHook(...) the program passed to evaluate()
    assert report["modes"] == {"train": "built", "eval": "built", "predict": "built"}


def test_train_and_evaluate_then_evaluate_is_one_report_and_one_build_per_mode(tmp_path):
    """tf_ranking's shape: train_and_evaluate() then evaluate() on one Estimator and model_dir. The
    two evaluations build the same graph (one model_fn, params, config), so the program is one
    report, each mode is built once, and each finding appears once."""
    code, report, err = graphlint_run(tmp_path, RANKING, "--output_dir", tmp_path / "m", "--plant=eval_variable")
    assert code == 1, err
    assert "models" not in report  # one model_dir, one report
    assert "evaluate at " in report["model"] and report["model"].count("evaluate at ") == 2  # both calls named
    builds = re.findall(r"model_fn builds (\w+)", err)
    assert sorted(builds) == ["eval", "train"], builds
    (finding,) = [f for f in report["findings"] if f["severity"] == "error"]
    assert finding["code"] == "GL101" and finding["names"] == ["score_bias", "score_bias/Adagrad"]


@pytest.fixture(scope="module")
def previous_runs(tmp_path_factory):
    """model_dirs of version 1 of the canned program, which named its feature `age_v1`, trained for real."""
    if not _real_estimator():
        pytest.skip("canned estimators need tensorflow-estimator (TensorFlow 2.15)")
    base = tmp_path_factory.mktemp("previous")
    dirs = {}
    for kind in ("linear", "dnn"):
        dirs[kind] = base / kind
        code, exc = run_for_real(base, CANNED, "--model_dir", dirs[kind], "--estimator", kind, "--feature", "age_v1")
        assert code == 0, exc
    return dirs


@pytest.mark.realtf
@pytest.mark.parametrize("kind,feature,codes,real_exc", [
    ("linear", "age_v1", set(), None),
    ("linear", "age", {"GL305"}, WARM_START),  # the feature renamed: its weights are not in the checkpoint
    ("dnn", "age_v1", set(), None),
    ("dnn", "age", set(), None),  # a numeric column names no DNN variable: the warm start still matches
])
def test_canned_estimators_warm_started(previous_runs, tmp_path, kind, feature, codes, real_exc):
    args = ["--estimator", kind, "--feature", feature, "--warm_start_from", previous_runs[kind]]
    code, report, err = graphlint_run(tmp_path, CANNED, "--model_dir", tmp_path / "gl", *args)
    assert code == (1 if codes else 0), err
    assert _errors(report) == codes
    real_code, exc = run_for_real(tmp_path, CANNED, "--model_dir", tmp_path / "real", *args)
    assert (real_code == 0) == (not codes)
    assert exc == real_exc


def _tree_hash(folder) -> str:
    digest = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(folder)):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            st = os.stat(path)
            digest.update(f"{os.path.relpath(path, folder)} {st.st_size} {st.st_mtime_ns}".encode())
            with open(path, "rb") as fh:
                digest.update(hashlib.sha256(fh.read()).digest())
    return digest.hexdigest()


@pytest.mark.realtf
def test_model_dir_checkpoint_is_checked_and_nothing_is_written(previous_runs, tmp_path):
    """model_dir already holds version 1's checkpoint: train() would resume from it (and skip the
    warm start), so the TRAIN graph's restore keys are checked against it; neither the model_dir
    nor the working directory changes."""
    model_dir = tmp_path / "model"
    subprocess.run(["cp", "-r", str(previous_runs["linear"]), str(model_dir)], check=True)
    work = tmp_path / "work"
    work.mkdir()
    before = (_tree_hash(model_dir), _tree_hash(work), _tree_hash(os.path.dirname(CANNED)))
    code, report, err = graphlint_run(work, CANNED, "--model_dir", model_dir, "--feature", "age")
    assert (_tree_hash(model_dir), _tree_hash(work), _tree_hash(os.path.dirname(CANNED))) == before
    assert code == 1, err
    assert "GL301" in _errors(report)  # linear/linear_model/age/weights is not in the checkpoint
    assert report["checkpoint"]
    real = tmp_path / "real"
    subprocess.run(["cp", "-r", str(previous_runs["linear"]), str(real)], check=True)
    assert run_for_real(work, CANNED, "--model_dir", real, "--feature", "age") == (1, NOT_FOUND)


@pytest.mark.parametrize("argv,says", [
    ([BERT], "exited with status 1 before any Estimator call"),  # absl: --output_dir is required
    ([CANNED, "--estimator", "nope"], "exited with status 2 before any Estimator call"),  # argparse
    (["no_such_program.py"], "no_such_program.py: no such file"),
    (["-m", "no_such_package.task"], "no such module"),
])
def test_a_program_that_stops_before_any_call_is_one_line_and_exit_2(tmp_path, argv, says):
    code, report, err = graphlint_run(tmp_path, *argv)
    assert code == 2
    (line,) = [ln for ln in err.splitlines() if ln.startswith("graphlint:")]
    assert says in line
    assert "Traceback" not in err


def test_a_program_that_raises_is_reported_with_its_own_error(tmp_path):
    program = tmp_path / "broken.py"
    program.write_text("import tensorflow as tf\nimport no_such_module_for_graphlint\n")
    code, report, err = graphlint_run(tmp_path, program)
    assert code == 2
    assert "broken.py:2: the program failed: ModuleNotFoundError" in err
    assert "Traceback" not in err


def test_a_program_without_estimator_calls(tmp_path):
    program = tmp_path / "nothing.py"
    program.write_text("print('hello')\n")
    code, report, err = graphlint_run(tmp_path, program)
    assert code == 2
    assert "made no Estimator call" in err
    assert "hello" in err  # the program's prints go to stderr: stdout is the report's


def test_lint_estimator_api_builds_as_the_estimator_would(tmp_path, monkeypatch):
    """graphlint.lint(estimator=..., input_fn=..., hooks=...) for users' own tests: the same verdicts
    as `graphlint run` on the program that builds this estimator (proven above)."""
    _skip_without_v1_layers(SUBCLASS)
    import graphlint
    from graphlint.model.tfcompat import estimator_api, real_estimator, tf

    if real_estimator() is None:
        pytest.skip("a user's test builds tf.estimator.Estimator itself: TF 2.15 with tensorflow-estimator")

    monkeypatch.syspath_prepend(os.path.dirname(SUBCLASS))
    with estimator_api():
        import task

        est = task.WideEstimator(4, str(tmp_path / "m"), plant="eval_variable")
    hook = tf().compat.v1.train.LoggingTensorHook({"p": "mean_train_probability"}, every_n_iter=1)
    report = graphlint.lint(estimator=est, input_fn=task.input_fn, hooks=[hook])
    assert sorted((f.code, f.modes) for f in report.errors) == [("GL101", ("eval",)), ("GL201", ("eval",))]
    assert not (tmp_path / "m").exists()
