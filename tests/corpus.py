"""The test corpus's one helper: a case is a model file that declares its command-line arguments
(`ARGS = [...]`), what it needs (`REQUIRES = "keras"`) and the findings it must produce
(`EXPECT = [(code, modes, name), ...]`), and `lint_case()` runs it through the same run layer as
the command line and the API."""

import ast
import glob
import os

import pytest

from conftest import CASES

CASE_FILES = sorted(p for p in glob.glob(os.path.join(CASES, "*.py")) if not p.endswith("case_common.py"))


def literal(path, name, default):
    """A module-level constant of a case file, read without importing it."""
    for node in ast.parse(open(path, encoding="utf-8").read()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    return default


def has_v1_layers() -> bool:
    from graphlint.model.tfcompat import tf

    try:
        tf().compat.v1.layers.dense  # noqa: B018 - raises without tf-keras on TF 2.16+
    except AttributeError:
        return False
    return True


def skip_unless_runnable(path) -> None:
    if literal(path, "REQUIRES", None) == "keras" and not has_v1_layers():
        pytest.skip("tf.compat.v1.layers needs tf-keras on TensorFlow 2.16+ (pip install 'tf-keras==<your TF minor>.*' --no-deps)")


def lint_case(path, *extra, command="diff"):
    """The case's Report, as `graphlint COMMAND path ARGS... EXTRA...` would compute it (--jobs 1
    unless EXTRA says otherwise)."""
    from graphlint.cli import parser, request_from_args
    from graphlint.run.application import Application

    argv = [command, str(path), "--jobs", "1"] + literal(str(path), "ARGS", []) + [str(a) for a in extra]
    (outcome,) = Application(request_from_args(parser().parse_args(argv))).run()
    return outcome.report
