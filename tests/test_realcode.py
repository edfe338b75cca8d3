"""graphlint on models written the way public TF1 code bases write them (issue 12).

tests/realcode/ holds, per style, a clean model and planted-bug variants. A clean model must lint
with no warning or error; a planted bug must be an error naming its variable or tensor. Where
graphlint is wrong, the test is a strict xfail naming the issue-12 item whose fix flips it (none is today).
The proofs that each planted bug really breaks (real TensorFlow, train 2 steps then evaluate)
are the test_tf_* tests at the bottom. Today's CLI verdicts: tests/realcode/BEFORE.md.
"""

import functools
import os

import numpy as np
import pytest

from conftest import ROOT
from corpus import lint_case
from graphlint.model.tfcompat import real_estimator, tf

REALCODE = os.path.join(ROOT, "tests", "realcode")
PROBLEMS = ("error", "warning")


@functools.lru_cache(maxsize=None)
def _missing(requirement):
    """Why this TensorFlow cannot build models that need `requirement`, or '' when it can."""
    t = tf()
    if requirement == "keras":
        try:
            t.compat.v1.layers.dense  # noqa: B018 - raises without tf-keras on TF 2.16+
        except (AttributeError, ImportError):
            return "tf.compat.v1.layers needs tf-keras on TensorFlow 2.16+"
    elif requirement == "slim":
        try:
            import tf_slim
            with t.Graph().as_default():
                tf_slim.batch_norm(t.zeros([1, 2, 2, 1]), is_training=True)
        except (ImportError, AttributeError) as exc:
            return f"tf_slim's batch_norm does not build here (needs tf-keras): {type(exc).__name__}"
    elif requirement == "tpu" and real_estimator() is None:
        return "TPUEstimator needs the real tensorflow-estimator (TF 2.15)"
    return ""


def _case(rel, requires=None, *marks, name=None):
    """One model as a test parameter (with the name its error must mention, for a bug)."""
    skip = pytest.mark.skipif(bool(requires and _missing(requires)),
                              reason=_missing(requires) if requires else "")
    values = (rel,) if name is None else (rel, name)
    return pytest.param(*values, marks=(skip,) + marks, id=rel)


def _path(rel):
    return os.path.join(REALCODE, rel + ".py")


@pytest.fixture(scope="module")
def lint_report():
    """One graphlint run per model for the whole module; a UsageError (exit 2) is re-raised."""
    results = {}

    def get(rel):
        if rel not in results:
            try:
                results[rel] = lint_case(_path(rel))
            except Exception as exc:  # noqa: BLE001 - re-raised in every test that asks
                results[rel] = exc
        if isinstance(results[rel], Exception):
            raise results[rel]
        return results[rel]

    return get


CLEAN = [
    _case("mnist_official/clean"),
    _case("feature_columns/clean"),
    _case("official_resnet/clean", "keras"),
    _case("slim_style/clean", "slim"),
    _case("bert_style/clean"),
]


@pytest.mark.parametrize("rel", CLEAN)
def test_clean_model_has_no_warning_or_error(lint_report, rel):
    report = lint_report(rel)
    assert [f for f in report.findings if f.severity in PROBLEMS] == []


@pytest.mark.parametrize("rel", [
    _case("mnist_official/clean"),
    _case("feature_columns/clean"),
    _case("official_resnet/clean", "keras"),
])
def test_clean_model_report_is_quiet(lint_report, rel):
    assert lint_report(rel).findings == []





@pytest.mark.parametrize("rel, name", [
    _case("mnist_official/eval_logging_hook", name="train_accuracy"),
    _case("feature_columns/reentered_scope", name="fm/logit"),
    _case("feature_columns/eval_only_variable", name="eval_stats/impressions"),
    _case("official_resnet/bn_updates_not_run", "keras", name="moving_mean"),
    _case("slim_style/bn_updates_not_run", "slim", name="moving_mean"),
    _case("bert_style/warm_start_renamed", name="bert_model/"),
])
def test_planted_bug_is_an_error_naming_it(lint_report, rel, name):
    errors = lint_report(rel).errors
    assert any(name in f.name or name in f.message for f in errors), errors




@pytest.mark.parametrize("rel", [
    _case("mnist_official/eval_logging_hook"),
    _case("feature_columns/reentered_scope"),
    _case("feature_columns/eval_only_variable"),
])
def test_one_planted_bug_is_one_finding(lint_report, rel):
    problems = [f for f in lint_report(rel).findings if f.severity in PROBLEMS]
    assert [f.severity for f in problems] == ["error"], problems


# --- proofs against real TensorFlow: train 2 steps, then evaluate ----------------------------

def _run(rel, workdir):
    from realtf import run_for_real

    return run_for_real(_path(rel), str(workdir))


def _run_tpu(rel, workdir):
    from tests.realcode.tpu_run import run_tpu_estimator

    return run_tpu_estimator(_path(rel), str(workdir))


@pytest.mark.realtf
@pytest.mark.parametrize("rel", ["mnist_official/clean", "feature_columns/clean"])
def test_tf_clean_model_trains_and_evaluates(rel, tmp_path):
    outcome = _run(rel, tmp_path)
    assert outcome.ok, outcome


@pytest.mark.realtf
def test_tf_eval_logging_hook_fails_with_keyerror_on_the_train_only_tensor(tmp_path):
    outcome = _run("mnist_official/eval_logging_hook", tmp_path)
    assert outcome.train_error is None and outcome.restore_error is None
    assert outcome.hook_error.startswith("KeyError")
    assert outcome.missing_fetches == {"train_accuracy:0"}


@pytest.mark.realtf
def test_tf_reentered_scope_fails_training_with_keyerror(tmp_path):
    outcome = _run("feature_columns/reentered_scope", tmp_path)
    assert outcome.train_error.startswith("KeyError") and "'fm/logit:0'" in outcome.train_error


@pytest.mark.realtf
def test_tf_reentered_scope_built_the_logit_under_fm_1():
    """The TRAIN graph has 'fm_1/logit' and no 'fm/logit': the reason the hook's name misses."""
    from realtf import _build, _import_model
    from graphlint.model.tfcompat import estimator_api

    t = tf()
    with estimator_api(), t.Graph().as_default() as graph:
        _build(_import_model(_path("feature_columns/reentered_scope")), t.estimator.ModeKeys.TRAIN,
               workdir=None)
        names = {op.name for op in graph.get_operations()}
    assert "fm_1/logit" in names and "fm/logit" not in names


@pytest.mark.realtf
def test_tf_eval_only_variable_fails_restore_with_notfound(tmp_path):
    outcome = _run("feature_columns/eval_only_variable", tmp_path)
    assert outcome.train_error is None
    assert outcome.restore_error.startswith("NotFoundError")
    assert outcome.missing_keys == {"eval_stats/impressions"}


def _moving_stats(workdir):
    """{name: value} of every batch-norm moving mean and variance in the last checkpoint."""
    reader = tf().train.load_checkpoint(str(workdir))
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()
            if "/moving_" in name}


@pytest.mark.realtf
@pytest.mark.parametrize("rel, updated", [
    ("official_resnet/clean", True),
    ("official_resnet/bn_updates_not_run", False),
    ("slim_style/clean", True),
    ("slim_style/bn_updates_not_run", False),
])
def test_tf_batch_norm_statistics_move_only_when_update_ops_run(rel, updated, tmp_path):
    reason = _missing("slim" if rel.startswith("slim") else "keras")
    if reason:
        pytest.skip(reason)
    outcome = _run(rel, tmp_path)
    assert outcome.ok, outcome  # silent: nothing fails
    stats = _moving_stats(tmp_path)
    assert any(name.endswith("moving_mean") for name in stats)
    initial = {name: np.zeros_like(v) if name.endswith("moving_mean") else np.ones_like(v)
               for name, v in stats.items()}
    at_initial = sorted(name for name in stats if np.array_equal(stats[name], initial[name]))
    assert at_initial == ([] if updated else sorted(stats)), at_initial


PRETRAINED = os.path.join(REALCODE, "bert_style", "pretrained", "bert_model.ckpt")


@pytest.mark.realtf
@pytest.mark.skipif(bool(_missing("tpu")), reason=_missing("tpu") or "")
@pytest.mark.parametrize("rel, scope, loaded", [
    ("bert_style/clean", "bert/", True),
    ("bert_style/warm_start_renamed", "bert_model/", False),
])
def test_tf_warm_start_loads_the_encoder_only_when_scopes_match(rel, scope, loaded, tmp_path):
    outcome = _run_tpu(rel, tmp_path)
    assert outcome.ok, outcome  # silent: nothing fails
    source = tf().train.load_checkpoint(PRETRAINED)
    # Estimator saves step 0 right after initialization: the weights the warm start produced.
    start = tf().train.load_checkpoint(os.path.join(str(tmp_path), "model.ckpt-0"))
    names = sorted(source.get_variable_to_shape_map())
    assert len(names) == 23 and all(name.startswith("bert/") for name in names)
    equal = [name for name in names
             if np.array_equal(start.get_tensor(scope + name[len("bert/"):]), source.get_tensor(name))]
    assert equal == (names if loaded else [])
