"""graphlint's verdict on the founding fixtures equals what TensorFlow really does.

For every build: train 2 steps and save, then evaluate from the checkpoint with the real
evaluation hooks (tests/realtf/: Estimator itself where TF has it). graphlint predicts, from
graphs alone, whether the EVAL restore breaks (and on which keys) and whether the hooks' fetches
break (and on which names); TensorFlow names only the first failure, which must be among ours.
"""

import os

import pytest

from conftest import FIXTURES
from graphlint.run import engine
from realtf import run_for_real

pytestmark = pytest.mark.realtf  # every test here runs real TensorFlow (trains, evaluates or restores)

BUILDS = ["original", "attempt1", "attempt2", "fixed"]


def _prediction(report):
    restore = {n for f in report.findings if f.code == "GL101" and "eval" in f.modes for n in f.all_names}
    fetches = {x.name for x in report.snapshots["eval"].fetches if not x.resolved}
    return restore, fetches


@pytest.mark.parametrize("build", BUILDS)
def test_graphlint_predicts_what_tensorflow_does(build, tmp_path):
    path = os.path.join(FIXTURES, build + ".py")
    restore, fetches = _prediction(engine.diff(path))
    real = run_for_real(path, str(tmp_path))

    assert real.train_error is None
    assert bool(restore) == bool(real.restore_error), real.restore_error
    assert real.missing_keys <= restore
    if not real.restore_error:  # TF stops at the restore; hooks only run after it
        assert bool(fetches) == bool(real.hook_error), real.hook_error
        assert real.missing_fetches <= fetches
    assert real.eval_error is None


def test_the_story_fails_as_the_blog_says(tmp_path):
    """The two broken builds fail with the errors the founding blog post quotes."""
    one = run_for_real(os.path.join(FIXTURES, "attempt1.py"), str(tmp_path / "one"))
    assert one.missing_keys == {"class_0/sample_num_classid_0"}
    two = run_for_real(os.path.join(FIXTURES, "attempt2.py"), str(tmp_path / "two"))
    assert two.restore_error is None
    assert two.missing_fetches == {"class_0/auc_classid_0:0"}


def test_fixed_build_prints_per_class_auc_and_counts(tmp_path):
    real = run_for_real(os.path.join(FIXTURES, "fixed.py"), str(tmp_path))
    assert real.ok
    lines = real.output.splitlines()
    for c in range(3):
        mine = [ln for ln in lines if ln.startswith(f"class {c}: auc=")]
        assert len(mine) == 3 and all(" samples=" in ln for ln in mine)
        counts = [int(ln.rsplit("=", 1)[1]) for ln in mine]
        assert counts == sorted(counts) and counts[0] > 0  # a running count over the eval steps
