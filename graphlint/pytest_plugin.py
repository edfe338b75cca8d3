"""`pytest --graphlint`: each model a test item that fails with graphlint's text report.

Registered through the `pytest11` entry point, as pytest-mypy and pytest-ruff are, so it is loaded
in every pytest run of an environment that has graphlint: without --graphlint it only adds the
option, and nothing here imports TensorFlow (or graphlint's run layer) until an item runs.

Which models: the `models` of the nearest config above pytest's rootdir, and any file named on the
command line that is not a test file (python_files). A model under the collected folders is an item
under its file (`trainer/model.py::graphlint`); when pytest was given no paths (testpaths or the
current folder), the configured models the walk did not reach are added as well, so a project
whose testpaths is `tests` still checks `trainer/`. Each item goes through the run layer with the
config nearest to its model, exactly as `graphlint diff MODEL` (`check` when the config has a
checkpoint): the same selection, suppressions, baseline and fail-on, hence the same verdict.
"""

from __future__ import annotations

import os
import pathlib
from typing import Optional

import pytest

ITEM_NAME = "graphlint"
MARKER = "graphlint"
_MODELS_KEY = pytest.StashKey[frozenset]()


def pytest_addoption(parser):
    group = parser.getgroup("graphlint", "graph-consistency checks of TensorFlow model_fn code")
    group.addoption("--graphlint", action="store_true", default=False,
                    help="check each model of [tool.graphlint] `models` (and each non-test .py file given) "
                         "with graphlint, one test item per model")


def pytest_configure(config):
    config.addinivalue_line("markers", f"{MARKER}: a graphlint model check (added by pytest --graphlint)")


def _enabled(config) -> bool:
    return bool(config.getoption("graphlint", default=False))


def _configured_models(config) -> frozenset:
    """The configured models (absolute paths, package.module names as they are), read once."""
    if _MODELS_KEY not in config.stash:
        from graphlint import config as config_lib
        from graphlint.errors import UsageError
        from graphlint.run import fleet

        try:
            path = config_lib.find_config(str(config.rootpath))
            models = fleet.expand(config_lib.load_config(path).models) if path else []
        except UsageError as exc:  # a broken config is one line, as on the command line
            raise pytest.UsageError(f"graphlint: {exc}") from None
        config.stash[_MODELS_KEY] = frozenset(m if not m.endswith(".py") else os.path.abspath(m) for m in models)
    return config.stash[_MODELS_KEY]


def _is_test_file(path, config) -> bool:
    return any(path.match(pattern) for pattern in config.getini("python_files"))


def _is_model(path, session) -> bool:
    if path.suffix != ".py":
        return False
    if str(path) in _configured_models(session.config):
        return True
    return session.isinitpath(path) and not _is_test_file(path, session.config)


def pytest_collect_file(file_path, parent):
    # The files pytest's python plugin collects go through pytest_pycollect_makemodule below, so a
    # model is never also imported as a test module.
    session = parent.session
    if not _enabled(parent.config) or session.isinitpath(file_path) or _is_test_file(file_path, parent.config):
        return None
    if _is_model(file_path, session):
        return GraphlintFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path, parent):
    if _enabled(parent.config) and _is_model(module_path, parent.session):
        return GraphlintFile.from_parent(parent, path=module_path)
    return None


@pytest.hookimpl(tryfirst=True)  # before -k / -m deselect, so they apply to the added items too
def pytest_collection_modifyitems(session, config, items):
    if not _enabled(config) or config.args_source == pytest.Config.ArgsSource.ARGS:
        return
    reached = {item.model for item in items if isinstance(item, GraphlintItem)}
    for model in sorted(_configured_models(config) - reached):
        if model.endswith(".py"):
            node = GraphlintFile.from_parent(session, path=pathlib.Path(model))
        else:  # package.module: no file to name the node by
            node = GraphlintFile.from_parent(session, path=config.rootpath, nodeid=model, model=model)
        added = list(node.collect())
        # reported as collected, so pytest's counts ("collected N items", "-k ... deselected") include them
        config.hook.pytest_collectreport(report=pytest.CollectReport(node.nodeid, "passed", None, added))
        items.extend(added)


class GraphlintFile(pytest.File):
    def __init__(self, *, model: Optional[str] = None, **kwargs):
        super().__init__(**kwargs)
        self.model = model or str(self.path)

    def collect(self):
        yield GraphlintItem.from_parent(self, name=ITEM_NAME, model=self.model)


class GraphlintFailure(Exception):
    """The text report (or the one-line error) that the item's failure shows as it is."""


class GraphlintItem(pytest.Item):
    def __init__(self, *, model: str, **kwargs):
        super().__init__(**kwargs)
        self.model = model
        self.add_marker(MARKER)

    def runtest(self):
        missing = _tensorflow_missing()
        if missing:
            pytest.skip(f"graphlint needs TensorFlow, which does not import here: {missing}")
        from graphlint.constants import ExitCode
        from graphlint.errors import UsageError
        from graphlint.tfpatch import room

        try:
            with room():  # one room per item: the user's own tests run on an untouched TensorFlow
                app = _application(self.model)
                outcomes = app.run()
        except UsageError as exc:
            raise GraphlintFailure(f"graphlint: {exc}") from None
        if app.exit_code(outcomes) != ExitCode.OK:
            raise GraphlintFailure(app.render(outcomes).rstrip("\n"))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, GraphlintFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        shown = os.path.relpath(self.model, self.config.rootpath) if os.path.isabs(self.model) else self.model
        return self.path, None, f"graphlint {shown}"


def _application(model: str):
    """The run layer for one model, as `graphlint diff MODEL` (or `check` when its config has a
    checkpoint) would run it, always with the text report and in this process."""
    from graphlint.model.sites import display_path
    from graphlint.run.application import Application, Request

    if os.path.isabs(model):  # the report names files as `graphlint diff` run here would
        model = display_path(model)
    text = {"format": "text"}
    app = Application(Request(command="diff", models=[model], settings=text, jobs=1))
    if app.config.checkpoint:
        app = Application(Request(command="check", models=[model], settings=text, jobs=1))
    return app


def _tensorflow_missing():
    """Why TensorFlow does not import, or None when it does."""
    from graphlint.model import tfcompat

    tfcompat.use_legacy_keras()  # before the import, as graphlint itself imports it
    try:
        import tensorflow  # noqa: F401
    except ImportError as exc:
        return str(exc) or type(exc).__name__
    return None
