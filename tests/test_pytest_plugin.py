"""`pytest --graphlint` (graphlint/pytest_plugin.py), run with pytester in subprocesses against real
TensorFlow: a clean model passes, a broken one fails with graphlint's text report, the config's
selection applies, -k and -n 2 work, a missing TensorFlow skips, and without the flag nothing is
collected and TensorFlow is not imported.

Each run disables plugin autoloading and loads the plugin with `-p graphlint.pytest_plugin` (and
xdist with `-p xdist.plugin`), so the result does not depend on which graphlint the environment
has installed; the `pytest11` entry point that loads it for users is checked in pyproject.toml.
"""

import os
import sys

import pytest

from conftest import ROOT

try:
    import tomllib
except ImportError:  # Python < 3.11
    import tomli as tomllib

pytest_plugins = ("pytester",)

MODEL = '''
import numpy as np
import tensorflow as tf

params = {{}}


def input_fn(params):
    x = np.zeros((8, 4), "float32")
    return tf.data.Dataset.from_tensor_slices(({{"x": x}}, x[:, :1])).repeat().batch(4)


def model_fn(features, labels, mode, params):
    w = tf.compat.v1.get_variable("w", [4, 1])
    logits = tf.matmul(features["x"], w)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={{"y": logits}})
    loss = tf.reduce_mean(tf.square(logits - labels))
{extra}
    train_op = None
    if mode == tf.estimator.ModeKeys.TRAIN:
        train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(
            loss, global_step=tf.compat.v1.train.get_or_create_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
'''
CLEAN = MODEL.format(extra="")
# A saved variable EVAL creates and TRAIN does not: the checkpoint will lack it (GL101).
BROKEN_LINE = '        loss += tf.compat.v1.get_variable("eval_count", [], initializer=tf.zeros_initializer())'
BROKEN = MODEL.format(extra="    if mode == tf.estimator.ModeKeys.EVAL:\n" + BROKEN_LINE)
PLUGIN = ("-p", "graphlint.pytest_plugin")
# Imports of tensorflow fail as they do where it is not installed.
BLOCK_TF = '''
import sys


class _NoTensorFlow:
    def find_spec(self, name, path=None, target=None):
        if name == "tensorflow" or name.startswith("tensorflow."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NoTensorFlow())
'''


@pytest.fixture
def project(pytester, monkeypatch):
    """A project: trainer/clean.py and trainer/broken.py as [tool.graphlint] models, testpaths `tests`
    (so the models are reached only through the config), and one ordinary test."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTHONPATH", ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    pytester.makepyprojecttoml('''
[tool.graphlint]
models = ["trainer/*.py"]

[tool.pytest.ini_options]
testpaths = ["tests"]
''')
    pytester.mkdir("trainer")
    pytester.mkdir("tests")
    (pytester.path / "trainer" / "clean.py").write_text(CLEAN, encoding="utf-8")
    (pytester.path / "trainer" / "broken.py").write_text(BROKEN, encoding="utf-8")
    (pytester.path / "tests" / "test_plain.py").write_text("def test_plain():\n    pass\n", encoding="utf-8")
    return pytester


def _run(pytester, *args):
    return pytester.runpytest_subprocess(*PLUGIN, "-p", "no:cacheprovider", *args, timeout=300)


def test_a_clean_model_passes_and_a_broken_one_fails_with_the_report(project):
    result = _run(project, "--graphlint", "-rA")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["PASSED trainer/clean.py::graphlint", "FAILED trainer/broken.py::graphlint*"])
    line = BROKEN.splitlines().index(BROKEN_LINE) + 1
    result.stdout.fnmatch_lines([f"trainer/broken.py:{line}: GL101 [[]error[]]*eval_count*", "will break: 1 error*"])


def test_the_configs_selection_decides_the_verdict(project):
    text = (project.path / "pyproject.toml").read_text(encoding="utf-8")
    (project.path / "pyproject.toml").write_text(text.replace("[tool.graphlint]\n", "[tool.graphlint]\nignore = [\"GL101\"]\n"),
                                                 encoding="utf-8")
    _run(project, "--graphlint").assert_outcomes(passed=3)


def test_k_selects_models(project):
    result = _run(project, "--graphlint", "-k", "clean")
    result.assert_outcomes(passed=1, deselected=2)
    listed = _run(project, "--graphlint", "-k", "clean", "--collect-only", "-q")
    listed.stdout.fnmatch_lines(["trainer/clean.py::graphlint", "", "1/3 tests collected (2 deselected)*"])


def test_xdist_runs_the_models_in_workers(project):
    result = _run(project, "-p", "xdist.plugin", "-n", "2", "--graphlint")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*GL101*eval_count*"])


def test_a_model_given_on_the_command_line_is_checked_and_a_test_file_is_not(project):
    result = _run(project, "--graphlint", "trainer/clean.py", "tests/test_plain.py", "-rA")
    result.assert_outcomes(passed=2)
    # explicit paths: only what they name (broken.py, a configured model, is not added)
    result.stdout.fnmatch_lines(["PASSED trainer/clean.py::graphlint", "PASSED tests/test_plain.py::test_plain"])


def test_without_the_flag_no_model_is_collected_and_tensorflow_is_not_imported(project):
    (project.path / "tests" / "test_no_tf.py").write_text(
        "import sys\n\n\ndef test_tensorflow_not_imported():\n    assert 'tensorflow' not in sys.modules\n",
        encoding="utf-8")
    _run(project).assert_outcomes(passed=2)


def test_a_missing_tensorflow_skips_each_model(project, monkeypatch):
    """A real missing import: a sitecustomize on PYTHONPATH makes `import tensorflow` raise
    ModuleNotFoundError in the pytest process, as on a machine without TensorFlow."""
    project.mkdir("no_tf")
    (project.path / "no_tf" / "sitecustomize.py").write_text(BLOCK_TF, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(project.path / "no_tf"), os.environ["PYTHONPATH"]]))
    result = _run(project, "--graphlint", "-rs")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(["SKIPPED*graphlint needs TensorFlow*tensorflow*"])


def test_the_entry_point_names_the_plugin_module():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
        project = tomllib.load(fh)["project"]
    assert project["entry-points"]["pytest11"] == {"graphlint": "graphlint.pytest_plugin"}
    assert any(dep.startswith("pytest-xdist") for dep in project["optional-dependencies"]["test"])
    import graphlint.pytest_plugin as plugin

    assert callable(plugin.pytest_addoption) and sys.modules["graphlint.pytest_plugin"] is plugin
