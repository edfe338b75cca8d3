"""A new user's first hour: --version, bad input refused before TensorFlow is imported, stderr that
is graphlint's own, the user's file:line when the model's top level raises, counts that agree
with their number, and the short outputs a CI log can carry (--statistics, --quiet)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from conftest import ROOT

ATTEMPT2 = os.path.join("fixtures", "per_class_auc", "attempt2.py")


def _probe(argv, cwd=ROOT):
    """Run main(argv) in a fresh interpreter; (exit code, stdout, stderr, whether TF was imported)."""
    code = ("import sys\nfrom graphlint.cli import main\n"
            "try:\n    code = main(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
            "sys.stdout.flush()\nprint('\\nPROBE', code, 'tensorflow' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=cwd,
                            env={**os.environ, "PYTHONPATH": ROOT})
    out, _, last = result.stdout.rpartition("\nPROBE ")
    exit_code, imported = last.split()
    return int(exit_code), out, result.stderr, imported == "True"


def _graphlint(*argv, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "graphlint", *argv], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": ROOT})


def test_version_names_graphlint_and_the_installed_tensorflow_without_importing_it():
    from graphlint import __version__
    from graphlint.model.tfcompat import tf

    code, out, _, imported = _probe(["--version"])
    assert code == 0 and not imported
    assert out.splitlines()[0].startswith(f"graphlint {__version__} ")
    assert f" {tf().__version__}" in out.splitlines()[1]  # the distribution's version is TF's own


@pytest.fixture
def bad_config(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[tool.graphlint]\nno-such-key = 1\n')
    return str(path)


@pytest.mark.parametrize("argv", [
    ["diff", "no_such_model.py"],
    ["diff", "fixtures"],
    ["diff", "README.md"],
    ["diff", "tests/bad/syntax_error.py"],
    ["check", "no_such_model.py", "--checkpoint", "no_such_dir"],
    ["check", ATTEMPT2],
    ["diff", ATTEMPT2, "--params", "{units: 3}"],
    ["diff", ATTEMPT2, "--no-such-option"],
    ["diff", ATTEMPT2, "--quiet", "--format", "json"],
    ["diff", ATTEMPT2, "--config", "BAD_CONFIG"],
], ids=" ".join)
def test_bad_input_fails_before_tensorflow_is_imported(argv, bad_config):
    argv = [bad_config if a == "BAD_CONFIG" else a for a in argv]
    code, _, err, imported = _probe(argv)
    assert code == 2
    assert not imported
    assert err.splitlines()[-1].startswith("graphlint") and "Traceback" not in err


def test_a_bad_model_among_several_is_refused_and_the_others_are_checked():
    code, out, err, _ = _probe(["diff", "no_such_model.py", ATTEMPT2, "--modes", "eval", "--jobs", "1"])
    assert code == 2
    assert err.strip() == "graphlint: error: no_such_model.py: no such file"
    assert "2 models: 1 will break" in out


def test_stderr_is_graphlints_own():
    """TensorFlow 2.16+ prints absl/oneDNN notices on import whatever TF_CPP_MIN_LOG_LEVEL says."""
    result = _graphlint("diff", ATTEMPT2, "--modes", "eval", "--jobs", "1")
    assert result.returncode == 1
    assert result.stderr == ""


def test_debug_shows_what_tensorflow_printed_on_import():
    printed = subprocess.run(
        [sys.executable, "-c", "from graphlint.model import tfcompat\ntfcompat.tf()\n"
                               "print(tfcompat.import_output, end='')"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT})
    assert printed.stderr == ""  # captured, not shown
    if not printed.stdout.strip():
        pytest.skip("this TensorFlow prints nothing on import")
    result = _graphlint("diff", ATTEMPT2, "--modes", "eval", "--jobs", "1", "--debug")
    assert printed.stdout.splitlines()[0] in result.stderr.splitlines()


def test_a_failing_tensorflow_import_shows_what_it_printed(tmp_path):
    """A broken install: the one-line error comes after what the import printed on fd 2."""
    broken = tmp_path / "tensorflow"
    broken.mkdir()
    (broken / "__init__.py").write_text(
        "import os\nos.write(2, b'libfoo.so: cannot open shared object file\\n')\n"
        "raise ImportError('DLL load failed')\n")
    result = subprocess.run([sys.executable, "-m", "graphlint", "diff", os.path.join(ROOT, ATTEMPT2)],
                            capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), ROOT])})
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["libfoo.so: cannot open shared object file",
                                          "graphlint: error: importing TensorFlow failed: DLL load failed"]


def test_model_top_level_error_is_reported_at_the_users_line(cli, tmp_path, monkeypatch):
    """Run from the model's own folder: '<frozen os>' must not pass for a file there."""
    (tmp_path / "envmodel.py").write_text(
        "import os\n\nDATA_DIR = os.environ['GRAPHLINT_TEST_UNSET_VARIABLE']\n\n\n"
        "def model_fn(features, labels, mode, params):\n    pass\n\n\ndef input_fn():\n    pass\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRAPHLINT_TEST_UNSET_VARIABLE", raising=False)
    code, out, err = cli("diff", "envmodel.py")
    assert code == 2 and out == ""
    assert err.startswith("graphlint: error: envmodel.py:3: importing the model failed: KeyError")


ONE_OP_MODEL = """
import tensorflow as tf


def model_fn(features, labels, mode, params):
    w = tf.compat.v1.get_variable("w", [2, 1])
    logits = tf.matmul(features, w)
    loss = tf.reduce_mean(tf.square(logits - labels))
    if mode == tf.estimator.ModeKeys.EVAL:
        tf.identity(loss, name="debug/probe")
    train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
        loss, global_step=tf.compat.v1.train.get_or_create_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, predictions=logits)


def input_fn():
    return tf.ones([4, 2]), tf.ones([4, 1])
"""


def test_one_op_exists(cli, tmp_path):
    path = tmp_path / "one_op.py"
    path.write_text(ONE_OP_MODEL)
    code, out, _ = cli("diff", path, "--modes", "train,eval", "--select", "GL104", "--jobs", "1")
    assert code == 0
    assert "1 op under 'debug' exists only in eval (e.g. debug/probe)" in out


def test_counts_agree_with_their_number():
    from graphlint.wording import agree, count

    assert [count(n, "error") for n in (0, 1, 2)] == ["0 errors", "1 error", "2 errors"]
    assert count(1, "info", "info") == "1 info" and count(3, "info", "info") == "3 info"
    assert [agree(n, "exists", "exist") for n in (1, 2)] == ["exists", "exist"]


@pytest.fixture(scope="module")
def attempt2_runs():
    """The founding fixture's full report, its JSON findings, and its --statistics and --quiet runs:
    main() in this process (what is tested is the outputs, not a fresh interpreter's stderr)."""
    from graphlint.cli import main

    runs = {}
    for name, extra in [("text", []), ("json", ["--format", "json"]), ("statistics", ["--statistics"]),
                        ("quiet", ["-q"])]:
        argv = ["diff", os.path.join(ROOT, ATTEMPT2), *extra]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        runs[name] = subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())
    return runs


def test_statistics_counts_findings_per_rule_most_first(attempt2_runs):
    findings = json.loads(attempt2_runs["json"].stdout)["findings"]
    expected = Counter((f["code"], f["symbol"]) for f in findings)
    run = attempt2_runs["statistics"]
    assert run.returncode == attempt2_runs["text"].returncode == 1
    *rows, last = run.stdout.splitlines()
    parsed = [(int(n), code, symbol) for n, code, symbol in (row.split() for row in rows)]
    assert {(code, symbol): n for n, code, symbol in parsed} == expected
    assert [n for n, _, _ in parsed] == sorted((n for n, _, _ in parsed), reverse=True)
    assert last == attempt2_runs["text"].stdout.splitlines()[-1]


def test_quiet_prints_the_summary_line_only(attempt2_runs):
    run = attempt2_runs["quiet"]
    assert run.returncode == 1
    assert run.stdout.splitlines() == attempt2_runs["text"].stdout.splitlines()[-1:]
    assert run.stdout.startswith("will break: ")


def test_readme_install_lines_name_our_distribution():
    """`graphlint` on the package index is another project: no pip line installs that name (a
    checkout, a path or a wheel built from this repository is ours whatever it is called)."""
    docs = [os.path.join(ROOT, "README.md")] + [os.path.join(ROOT, "docs", n) for n in os.listdir(
        os.path.join(ROOT, "docs"))]
    import re

    for path in docs:
        for line in open(path, encoding="utf-8"):
            for args in re.findall(r"pip install ([^`(]*)", line):  # a command's arguments, to its end
                args = re.split(r"&&|;|\|", args)[0]  # this command only, not the next one on the line
                names = [a for a in args.split() if not a.startswith("-") and "/" not in a and not a.startswith(".")]
                assert not any(re.match(r"['\"]?graphlint\b", a) for a in names), f"{path}: {line.strip()}"


SERVING_MODEL = '''
import numpy as np
import tensorflow as tf


def input_fn():
    x = np.linspace(0, 1, 32, dtype="float32").reshape(8, 4)
    return tf.data.Dataset.from_tensor_slices(({"x": x}, x[:, :1])).repeat().batch(4)


def serving_input_receiver_fn():
    x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
    return tf.estimator.export.ServingInputReceiver({"x": x}, {"x": x})


def model_fn(features, labels, mode):
    logits = tf.matmul(features["x"], tf.compat.v1.get_variable("w", [4, 3]))
    if mode == tf.estimator.ModeKeys.PREDICT:
        outputs = {"serving_default": tf.estimator.export.PredictOutput({"logits": logits})}
        return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits}, export_outputs=outputs)
    loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=tf.compat.v1.train.GradientDescentOptimizer(
        0.1).minimize(loss, global_step=tf.compat.v1.train.get_global_step()))
'''


def test_check_saved_model_stderr_is_graphlints_own(tmp_path):
    """The SavedModel is read with TF's loader: TensorFlow must be imported (and its C++ start-up
    lines captured) before that loader's own import."""
    from graphlint.model.tfcompat import tf

    t = tf()
    with t.Graph().as_default(), t.compat.v1.Session() as sess:
        x = t.compat.v1.placeholder(t.float32, [None, 4], name="x")
        w = t.compat.v1.get_variable("w", [4, 3])
        sess.run(t.compat.v1.global_variables_initializer())
        t.compat.v1.saved_model.simple_save(sess, str(tmp_path / "sm"), {"x": x}, {"logits": t.matmul(x, w)})
    model = tmp_path / "serve.py"
    model.write_text(SERVING_MODEL)
    result = _graphlint("check", str(model), "--saved-model", str(tmp_path / "sm"), "--jobs", "1", "--no-cache")
    assert "signatures of the export" in result.stdout
    assert result.stderr == ""
