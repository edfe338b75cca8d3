"""The real-TensorFlow harness reproduces what each per-class AUC build really does.

Slow (a few seconds per build: it trains and evaluates for real), but it is the ground truth
the graphlint tests compare against, so it has to be right on every supported TF version.
"""

import os
import re

import pytest

pytest.importorskip("tensorflow")

from tests.realtf import run_for_real  # noqa: E402

pytestmark = pytest.mark.realtf  # every test here runs real TensorFlow (trains, evaluates or restores)

FIXTURES = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "per_class_auc")


def run(name, tmp_path):
    return run_for_real(os.path.join(FIXTURES, name + ".py"), str(tmp_path))


def test_original_works(tmp_path):
    outcome = run("original", tmp_path)
    assert outcome.ok, outcome
    assert "class 2: auc=" in outcome.output


def test_attempt1_fails_to_restore_the_eval_only_variable(tmp_path):
    outcome = run("attempt1", tmp_path)
    assert outcome.train_error is None
    assert outcome.restore_error.startswith("NotFoundError:")
    # class_1/... and class_2/... are missing too, but TF stops at the first missing key.
    assert outcome.missing_keys == {"class_0/sample_num_classid_0"}
    assert outcome.hook_error is None and outcome.output == ""


def test_attempt2_restores_but_the_hook_fetches_a_name_that_does_not_exist(tmp_path):
    outcome = run("attempt2", tmp_path)
    assert outcome.train_error is None and outcome.restore_error is None
    assert outcome.hook_error is not None
    # The first bad fetch stops the run, so TF names only that one.
    assert outcome.missing_fetches == {"class_0/auc_classid_0:0"}
    assert outcome.eval_error is None


def test_fixed_works_and_prints_auc_and_samples_per_class(tmp_path):
    outcome = run("fixed", tmp_path)
    assert outcome.ok, outcome
    for c in range(3):
        assert re.search(rf"^class {c}: auc=\d\.\d{{4}} samples=\d+$", outcome.output, re.M), \
            outcome.output


def test_nothing_is_written_outside_workdir(tmp_path):
    before = _listing(FIXTURES)
    run("fixed", tmp_path / "work")
    assert _listing(FIXTURES) == before
    assert os.listdir(tmp_path) == ["work"]
    assert any(name.startswith("model.ckpt-2") for name in os.listdir(tmp_path / "work"))


def _listing(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder)
                  for d, _, files in os.walk(folder) for f in files)
