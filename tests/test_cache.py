"""The result cache (graphlint/run/cache.py): a warm run prints the cold run's report byte for byte
without importing TensorFlow, and every input of the key, changed, makes the next run rebuild.

A model here prints BUILT to stderr when it is imported, so "was it rebuilt?" is read from what
really ran, in this process or in a forked worker."""

import json
import multiprocessing
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from graphlint.model.snapshot import RunInfo
from graphlint.run import cache as cache_lib
from graphlint.report.document import Report

MODEL = '''\
import importlib.util, json, os, sys
import tensorflow as tf
import helper_a

print("BUILT {name}", file=sys.stderr)
HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "data.json")) as fh:
    WIDTH = json.load(fh)["width"]
_spec = importlib.util.spec_from_file_location("dyn_layers", os.path.join(HERE, "dyn", "layers.py"))
dyn = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dyn)
SCOPE = {{}}
exec(compile(open(os.path.join(HERE, "dyn", "scope.py")).read(), "scope.py", "exec"), SCOPE)
params = {{"units": 2}}


def input_fn(params):
    return {{"x": tf.ones([4, WIDTH])}}, tf.ones([4, 1])


def model_fn(features, labels, mode, params):
    with tf.compat.v1.variable_scope(SCOPE["NAME"]):
        w = tf.compat.v1.get_variable("w", [WIDTH, params["units"] * helper_a.FACTOR * dyn.MULT])
    logits = tf.matmul(features["x"], w)
    if mode == tf.estimator.ModeKeys.EVAL:
        tf.compat.v1.get_variable("eval_only", [1])
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=logits)
    loss = tf.reduce_mean(logits)
    step = tf.compat.v1.train.get_or_create_global_step()
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
'''


def _project(root, name="model"):
    os.makedirs(os.path.join(root, "dyn"), exist_ok=True)
    files = {f"{name}.py": MODEL.format(name=name), "helper_a.py": "import helper_b\nFACTOR = helper_b.FACTOR\n",
             "helper_b.py": "FACTOR = 1\n", "data.json": '{"width": 3}\n', "dyn/layers.py": "MULT = 1\n",
             "dyn/scope.py": "NAME = 'dense'\n"}
    for rel, text in files.items():
        with open(os.path.join(root, rel), "w") as fh:
            fh.write(text)
    return os.path.join(root, f"{name}.py")


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The cache on, in a folder of its own; runs happen in tmp_path (a project of our own)."""
    monkeypatch.delenv(cache_lib.ENV_OFF, raising=False)
    monkeypatch.setenv(cache_lib.ENV_DIR, str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def lint(capfd):
    """Run the CLI in-process: (exit code, stdout, built?) where built means the model was imported
    (here or in a worker, whose output is replayed on fd 2: hence capfd)."""
    from graphlint.cli import main

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capfd.readouterr()
        return code, out, "BUILT" in err

    return run


def _edit(path, old, new):
    with open(path) as fh:
        text = fh.read()
    assert old in text
    with open(path, "w") as fh:
        fh.write(text.replace(old, new))


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_warm_report_is_byte_identical(env, lint, fmt):
    model = _project(str(env))
    code1, cold, built1 = lint("diff", model, "--format", fmt, "--exit-zero")
    code2, warm, built2 = lint("diff", model, "--format", fmt, "--exit-zero")
    assert (built1, built2) == (True, False)
    assert cold == warm and code1 == code2 and cold


def test_format_may_change_between_runs(env, lint):
    model = _project(str(env))
    _, cold_json, _ = lint("diff", model, "--format", "json", "--no-cache")
    lint("diff", model)  # fills the cache with text output
    _, warm_json, built = lint("diff", model, "--format", "json")
    assert not built and warm_json == cold_json


@pytest.mark.parametrize("rel,old,new", [
    ("model.py", 'params = {"units": 2}', 'params = {"units": 3}'),
    ("helper_b.py", "FACTOR = 1", "FACTOR = 2"),  # two imports deep
    ("dyn/layers.py", "MULT = 1", "MULT = 2"),  # importlib from a path
    ("dyn/scope.py", "'dense'", "'dense2'"),  # exec of a file's text
    ("data.json", '"width": 3', '"width": 4'),  # a data file read at import
], ids=["model", "helper-two-deep", "importlib-path", "exec-file", "data-file"])
def test_a_changed_file_rebuilds(env, lint, rel, old, new):
    model = _project(str(env))
    _, cold, _ = lint("diff", model)
    assert not lint("diff", model)[2]
    _edit(os.path.join(str(env), rel), old, new)
    _, after, built = lint("diff", model)
    assert built
    assert not lint("diff", model)[2]  # and the new result is cached in turn


@pytest.mark.parametrize("extra", [
    ("--params", '{"units": 5}'), ("--params-eval", '{"units": 5}'), ("--modes", "train,eval"),
    ("--jobs", "1"),
], ids=["params", "per-mode-params", "modes", "serial"])
def test_a_changed_option_rebuilds(env, lint, extra):
    model = _project(str(env))
    lint("diff", model, "--jobs", "2")
    assert not lint("diff", model, "--jobs", "2")[2]
    assert lint("diff", model, *extra)[2]


def test_selection_is_applied_after_the_cache(env, lint):
    model = _project(str(env))
    _, everything, _ = lint("diff", model, "--format", "json")
    _, selected, built = lint("diff", model, "--format", "json", "--select", "GL101")
    assert not built
    codes = {f["code"] for f in json.loads(selected)["findings"]}
    assert codes == {"GL101"} and len(json.loads(everything)["findings"]) > 1


SELECTIONS = [(), ("--ignore", "GL107"), ("--ignore", "GL101"), ("--select", "GL101"), ("--ignore", "GL101,GL107")]


def test_supersession_follows_each_selection_cold_and_warm(env, lint):
    """The cache holds what every selection reports (run/supersede.py): a cache filled by a run that
    ignores GL107 gives each selection what a cold run gives it, and no format shows a superseded
    finding that its selection does not."""
    with open(os.path.join(ROOT, "tests", "cases", "ema_eval_only.py")) as fh:
        (env / "ema.py").write_text(fh.read() + '\nprint("BUILT", file=__import__("sys").stderr)\n')
    model = str(env / "ema.py")

    def codes(doc):
        return sorted(f["code"] for f in json.loads(doc)["findings"])

    cold = {sel: lint("diff", model, "--format", "json", "--no-cache", *sel) for sel in SELECTIONS}
    assert [codes(cold[sel][1]) for sel in SELECTIONS] == [["GL107"], ["GL101"], ["GL107"], ["GL101"], []]
    assert lint("diff", model, "--ignore", "GL107")[2]  # fills the cache
    for sel in SELECTIONS:
        code, warm, built = lint("diff", model, "--format", "json", *sel)
        assert not built and (code, warm) == cold[sel][:2], sel
        _, sarif, _ = lint("diff", model, "--format", "sarif", *sel)
        assert sorted(r["ruleId"] for r in json.loads(sarif)["runs"][0]["results"]) == codes(warm), sel


def test_working_directory_is_in_the_key(env, lint, monkeypatch):
    model = _project(str(env))
    lint("diff", model)
    os.makedirs(env / "elsewhere")
    monkeypatch.chdir(env / "elsewhere")  # reports show paths relative to it
    assert lint("diff", model)[2]


@pytest.mark.parametrize("piece", ["graphlint", "tensorflow", "estimator", "python"])
def test_versions_are_in_the_key(env, lint, monkeypatch, piece):
    model = _project(str(env))
    lint("diff", model)
    real = cache_lib.environment()
    changed = dict(real, **{piece: "0.0-other"})
    monkeypatch.setattr(cache_lib, "environment", lambda: changed)
    assert lint("diff", model)[2]


def _save_checkpoint(prefix, width):
    import numpy as np

    from realtf.checkpoints import write_variables

    write_variables(os.path.dirname(prefix), {"dense/w": np.ones([width, 2], "float32")}, step=1,
                    name=os.path.basename(prefix))


@pytest.mark.parametrize("as_dir", [True, False], ids=["directory", "prefix"])
def test_a_changed_checkpoint_rebuilds(env, lint, as_dir):
    model = _project(str(env))
    ckdir = env / "run"
    _save_checkpoint(str(ckdir / "model.ckpt"), 3)
    path = str(ckdir) if as_dir else str(ckdir / "model.ckpt-1")
    code1, cold, _ = lint("check", model, "--checkpoint", path)
    code2, warm, built = lint("check", model, "--checkpoint", path)
    assert not built and (code1, cold) == (code2, warm)
    _save_checkpoint(str(ckdir / "model.ckpt"), 5)  # rewrites model.ckpt-1: another shape
    code3, after, built = lint("check", model, "--checkpoint", path)
    assert built and after != cold


def test_corrupt_entries_are_misses(env, lint):
    model = _project(str(env))
    lint("diff", model)
    entries = env / "cache" / cache_lib.ENTRIES
    (entry,) = entries.iterdir()
    entry.write_bytes(entry.read_bytes()[:50])  # truncated
    code, out, built = lint("diff", model)
    assert built and code in (0, 1) and out
    entry.write_bytes(b"not a pickle")
    assert lint("diff", model)[2]


def test_no_cache_and_the_environment_switch(env, lint, monkeypatch):
    model = _project(str(env))
    lint("diff", model, "--no-cache")
    assert not (env / "cache").exists()
    monkeypatch.setenv(cache_lib.ENV_OFF, "1")
    lint("diff", model)
    assert not (env / "cache").exists()


def test_cache_dir_option_and_clean(env, lint):
    model = _project(str(env))
    where = env / "mine"
    lint("diff", model, "--cache-dir", str(where))
    assert (where / ".gitignore").read_text() == "*\n"
    assert (where / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert not lint("diff", model, "--cache-dir", str(where))[2]
    code, _, _ = lint("cache", "clean", "--cache-dir", str(where))
    assert code == 0 and not where.exists()
    assert lint("diff", model, "--cache-dir", str(where))[2]


def test_clean_refuses_a_folder_it_did_not_make(env, capfd):
    from graphlint.cli import main

    other = env / "precious"
    other.mkdir()
    (other / "keep.txt").write_text("x")
    code = main(["cache", "clean", "--cache-dir", str(other)])
    assert code == 2 and "not a graphlint cache folder" in capfd.readouterr().err
    assert (other / "keep.txt").exists()


def _subprocess_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in (cache_lib.ENV_OFF, cache_lib.ENV_DIR)}
    env.update(PYTHONPATH=ROOT, **extra)
    return env


WARM_PROBE = ("import sys; from graphlint.cli import main; code = main(sys.argv[1:]); sys.stdout.flush(); "
              "print('TF-IMPORTED' if 'tensorflow' in sys.modules else 'NO-TF', file=sys.stderr); sys.exit(code)")


@pytest.mark.parametrize("command", ["diff", "check"])
def test_warm_run_does_not_import_tensorflow_nor_write_to_the_project(tmp_path, command):
    project = tmp_path / "project"
    project.mkdir()
    model = _project(str(project))
    _save_checkpoint(str(project / "run" / "model.ckpt"), 3)
    args = [command, model] + (["--checkpoint", str(project / "run")] if command == "check" else [])
    env = _subprocess_env(tmp_path, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    before = sorted(os.listdir(project))
    runs = [subprocess.run([sys.executable, "-c", WARM_PROBE] + args, cwd=project, env=env,
                           capture_output=True, text=True, timeout=300) for _ in range(2)]
    assert "BUILT" in runs[0].stderr and "TF-IMPORTED" in runs[0].stderr
    assert "BUILT" not in runs[1].stderr and "NO-TF" in runs[1].stderr
    assert runs[0].stdout == runs[1].stdout and runs[0].returncode == runs[1].returncode == 1
    assert sorted(os.listdir(project)) == before  # the default cache is the user's, not the project's
    assert os.listdir(tmp_path / "xdg" / "graphlint" / cache_lib.ENTRIES)


def test_many_models_build_only_the_changed_one(env, capfd):
    """Each model is built in a forked worker (--jobs 2): its BUILT line reaches fd 2 from there."""
    from graphlint.cli import main

    project = env / "models"
    project.mkdir()
    for i in range(3):
        sub = project / f"m{i}"
        sub.mkdir()
        _project(str(sub), name=f"model{i}")

    def run():
        main(["diff", "models/**/model*.py", "--jobs", "2"])
        out, err = capfd.readouterr()
        return out, sorted(re.findall(r"^BUILT (\w+)$", err, re.M))

    cold, built = run()
    assert built == ["model0", "model1", "model2"]
    warm, built = run()
    assert built == [] and warm == cold
    _edit(str(project / "m1" / "helper_b.py"), "FACTOR = 1", "FACTOR = 2")
    after, built = run()
    assert built == ["model1"] and "3 models" in after


def _writer(path, n):
    cache = cache_lib.Cache(path)
    report = Report(RunInfo(model="m", tf_version="x"), findings=[])
    for _ in range(n):
        cache.put("k" * 64, report)


def test_concurrent_writers_never_leave_a_broken_entry(tmp_path):
    path = str(tmp_path / "cache")
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    procs = [ctx.Process(target=_writer, args=(path, 30)) for _ in range(4)]
    for p in procs:
        p.start()
    cache = cache_lib.Cache(path)
    seen = 0
    while any(p.is_alive() for p in procs):
        got = cache.get("k" * 64)
        seen += got is not None
        assert got is None or got.info.model == "m"
    for p in procs:
        p.join()
        assert p.exitcode == 0
    assert cache.get("k" * 64).info.model == "m"
    assert not [n for n in os.listdir(os.path.join(path, cache_lib.ENTRIES)) if n.startswith(".tmp")]


def test_a_changed_graphlint_module_invalidates_the_cache(tmp_path):
    """The version string does not change with graphlint's code; its source digest does, so a
    report made by an older rule is never served after the rule changed."""
    import shutil

    copy = tmp_path / "graphlint_copy"
    shutil.copytree(os.path.join(ROOT, "graphlint"), copy / "graphlint",
                    ignore=shutil.ignore_patterns("__pycache__"))
    project = tmp_path / "project"
    project.mkdir()
    model = _project(str(project))
    env = dict(_subprocess_env(tmp_path, GRAPHLINT_CACHE_DIR=str(tmp_path / "cache")), PYTHONPATH=str(copy))

    def built():
        done = subprocess.run([sys.executable, "-m", "graphlint", "diff", model], cwd=project, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 1, done.stderr
        return "BUILT" in done.stderr

    assert built() and not built()
    rule = copy / "graphlint" / "rules" / "eval_only_saved_variable.py"
    rule.write_text(rule.read_text() + "\n# a changed rule\n")
    assert built()
