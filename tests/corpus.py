"""The tests' one way into graphlint: `lint_case()` runs a model file through the same run layer as
the command line and the API, and `write_model()` makes a model file from source text (a test's
variant of a case, a rule's documented example) for it. Model files take their dataset, layer and
EstimatorSpec from the one shared example model, graphlint/rules/example_common.py, as the rule
docs' examples do.

A case (tests/cases/) is a model file that declares its command-line arguments (`ARGS = [...]`),
what it needs (`REQUIRES = "keras"`) and the findings it must produce (`EXPECT = [(code, modes,
name), ...]`)."""

import ast
import glob
import json
import os
import shutil

import pytest

from conftest import CASES

CASE_FILES = sorted(glob.glob(os.path.join(CASES, "*.py")))


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


def write_model(folder, source, name="model.py", siblings=()) -> str:
    """The path of a model file `name` holding `source`, in `folder` (made if missing), with copies
    of the `siblings` files next to it (modules it imports as its own code)."""
    os.makedirs(folder, exist_ok=True)
    for sibling in siblings:
        shutil.copy(sibling, os.path.join(folder, os.path.basename(sibling)))
    path = os.path.join(str(folder), name)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(source)
    return path


def lint_case(path, *extra, command="diff"):
    """The model file's Report, as `graphlint COMMAND path ARGS... EXTRA...` would compute it
    (ARGS: the file's own, if it declares them; --jobs 1 unless EXTRA says otherwise)."""
    from graphlint.cli import parser, request_from_args
    from graphlint.run.application import Application

    argv = [command, str(path), "--jobs", "1"] + literal(str(path), "ARGS", []) + [str(a) for a in extra]
    (outcome,) = Application(request_from_args(parser().parse_args(argv))).run()
    return outcome.report


NO_API_TWIN = ("--saved-model",)  # graphlint.lint() checks no SavedModel: only the command line does


def api_options(path, *extra):
    """graphlint.lint()'s keyword arguments for what lint_case(path, *extra) passes on the command
    line (the case's ARGS, then EXTRA), or None when one of them has no API twin (NO_API_TWIN)."""
    args = literal(str(path), "ARGS", []) + [str(a) for a in extra]
    options = {}
    for flag, value in zip(args[::2], args[1::2]):
        if flag == "--modes":
            options["modes"] = value.split(",")
        elif flag.startswith("--params-"):
            options.setdefault("per_mode_params", {})[flag[len("--params-"):]] = json.loads(value)
        elif flag in ("--checkpoint", "--config"):
            options[flag[2:]] = value
        elif flag in NO_API_TWIN:
            return None
        else:
            raise AssertionError(f"{path}: {flag} has no API twin in corpus.api_options")
    return options
