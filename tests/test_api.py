"""The Python API, as a user's own test suite would call it."""

import os

from conftest import FIXTURES

import graphlint


def test_lint_a_model_file():
    report = graphlint.lint(os.path.join(FIXTURES, "attempt1.py"))
    (error,) = report.errors  # one cause: the `if not is_training:` around the counters
    assert error.names == tuple(f"class_{c}/sample_num_classid_{c}" for c in range(3))
    assert '"schema_version": 1' in report.to_json()


def test_lint_callables_documented_example():
    import importlib.util
    import sys

    sys.path.insert(0, FIXTURES)
    try:
        spec = importlib.util.spec_from_file_location("fixed_for_api", os.path.join(FIXTURES, "fixed.py"))
        from graphlint.model.tfcompat import estimator_api

        with estimator_api():
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        report = graphlint.lint(model_fn=module.model_fn, input_fn=module.input_fn, params=module.params)
    finally:
        sys.path.remove(FIXTURES)
    assert not report.errors
    assert report.info.model.endswith("model_fn")


def test_select_and_ignore():
    path = os.path.join(FIXTURES, "attempt1.py")
    assert {f.code for f in graphlint.lint(path, select=["GL104"]).findings} == {"GL104"}
    assert "GL101" not in {f.code for f in graphlint.lint(path, ignore=["GL1"]).findings}


def test_the_callers_collector_is_left_as_it_was():
    """graphlint tunes Python's cyclic collector while it builds (model/session.py's thresholds,
    parallel.py's freeze before forking): in the caller's process, its thresholds and what it had
    frozen are the same afterwards, and nothing graphlint froze is left frozen."""
    import gc

    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    graphlint.lint(os.path.join(FIXTURES, "fixed.py"))
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0

    kept = [[]]
    kept[0].append(kept)  # an object of the caller's, frozen by the caller
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        graphlint.lint(os.path.join(FIXTURES, "fixed.py"), jobs=2)  # forked workers: parallel.py freezes too
        assert gc.get_freeze_count() <= frozen  # frozen objects may still die of their reference counts
        assert not any(o is kept for o in gc.get_objects())  # still frozen: in no generation
        assert gc.get_threshold() == before
    finally:
        gc.unfreeze()
