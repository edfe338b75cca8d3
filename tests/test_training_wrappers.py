"""GL402 and GL403 on correct code that used to look like their bugs, and on the bugs next to it,
each verdict checked against a real training run (the real Estimator on TF 2.15): optimizer
wrappers that do update the variables (and one variable they cannot update), evaluation state that
no result is computed from, and stale state that a metric is computed from."""

import os

import numpy as np
import pytest

from conftest import CASES
from corpus import lint_case
from graphlint.model.tfcompat import estimator_api, real_estimator, tf
from realtf import _import_model
from realtf.checkpoints import write_variables

needs_estimator = pytest.mark.skipif(real_estimator() is None, reason="needs the real tensorflow-estimator (TF 2.15)")


def _names(report, code):
    return sorted(n for f in report.findings if f.code == code for n in (f.names or (f.name,)))


class _Values(tf().compat.v1.train.SessionRunHook):
    """Reads the model's global variables once the session exists (before the first step) and
    when training ends (after the last)."""

    def begin(self):
        self._variables = {v.op.name: v for v in tf().compat.v1.global_variables()}

    def after_create_session(self, session, coord):
        self.before = session.run(self._variables)

    def end(self, session):
        self.after = session.run(self._variables)


def _train(case, workdir, steps=3):
    """Estimator.train the case for `steps` steps: the variables' values (before, after)."""
    values = _Values()
    with estimator_api() as est:
        model = _import_model(os.path.join(CASES, case))
        estimator = est.Estimator(model.model_fn, model_dir=str(workdir), params=model.params)
        estimator.train(model.input_fn, steps=steps, hooks=[values])
    assert values.after["global_step"] == steps
    return values.before, values.after


# --- GL402: optimizer wrappers that update the variables outside a plain Apply* of the train op ---

@pytest.mark.realtf
@needs_estimator
@pytest.mark.parametrize("case", ["gradient_accumulation.py", "slim_create_train_op.py",
                                  "adam_weight_decay.py", "mixed_precision_rewrite.py"])
def test_wrapped_optimizer_updates_the_variables(case, tmp_path):
    assert _names(lint_case(os.path.join(CASES, case)), "GL402") == []
    before, after = _train(case, tmp_path)  # gradient_accumulation applies on its second step
    assert np.abs(after["w"] - before["w"]).max() > 0


@pytest.mark.realtf
@needs_estimator
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the runner's cancelled wait
def test_sync_replicas_updates_the_variables_a_gradient_reaches(tmp_path):
    """SyncReplicasOptimizer with one replica, its hook in training_hooks: the optimizer updates w
    (no GL402 for it, nor in sync_replicas.py's case) and leaves alone the gate no gradient reaches
    (GL402). Estimator.train takes two minutes here: when training ends, the chief's queue runner
    waits for gradients that never come, and MonitoredSession gives its threads 120 s to stop."""
    case = "sync_replicas_stop_gradient.py"
    assert _names(lint_case(os.path.join(CASES, case)), "GL402") == ["gate"]
    before, after = _train(case, tmp_path)
    assert np.abs(after["w"] - before["w"]).max() > 0
    assert before["gate"] == after["gate"] == 1.0  # its initializer: no gradient ever reached it


# --- GL403: evaluation state that TRAIN builds and never runs, and no result reads --------------

def _evaluations(case, state, stale_value, workdir):
    """Estimator.train the case 2 steps, then evaluate its checkpoint, and the same checkpoint with
    the variable `state` set to `stale_value`: (state's value in the trained checkpoint, results,
    results with the other value)."""
    with estimator_api() as est:
        model = _import_model(os.path.join(CASES, case))
        trained = est.Estimator(model.model_fn, model_dir=str(workdir / "run"), params=model.params)
        trained.train(model.input_fn, steps=2)
        results = trained.evaluate(model.input_fn, steps=2)
        ckpt = tf().train.load_checkpoint(str(workdir / "run"))
        values = {name: ckpt.get_tensor(name) for name in ("w", state)}
        write_variables(str(workdir / "changed"), dict(values, **{state: np.float32(stale_value)}), step=2)
        changed = est.Estimator(model.model_fn, model_dir=str(workdir / "changed"), params=model.params)
        return values[state], results, changed.evaluate(model.input_fn, steps=2)


@pytest.mark.realtf
@needs_estimator
def test_eval_counter_no_result_reads_changes_no_result(tmp_path):
    """The counter stays at 0 in every checkpoint (the train op never runs TRAIN's increment), and
    that changes nothing evaluation returns: the same checkpoint with the counter at 1000
    evaluates to the same loss and AUC."""
    case = "eval_counter_metric_dependency.py"
    assert _names(lint_case(os.path.join(CASES, case)), "GL403") == []
    saved, results, changed = _evaluations(case, "class_0/sample_num_classid_0", 1000, tmp_path)
    assert saved == 0.0
    assert 0.0 <= results["auc_class_0"] <= 1.0 and results["global_step"] == 2
    assert changed["auc_class_0"] == results["auc_class_0"]
    assert changed["loss"] == results["loss"]


@pytest.mark.realtf
@needs_estimator
def test_stale_state_an_eval_metric_reads_changes_its_value(tmp_path):
    """The scale stays at its initial 1.0 (the train op never runs its update), and the metric is
    computed from it: the same checkpoint with the scale at 2.0 evaluates to twice the metric."""
    case = "stale_state_in_metric.py"
    assert _names(lint_case(os.path.join(CASES, case)), "GL403") == ["calibration/scale"]
    saved, results, changed = _evaluations(case, "calibration/scale", 2.0, tmp_path)
    assert saved == 1.0
    assert results["calibrated"] != 0.0
    np.testing.assert_allclose(changed["calibrated"], 2 * results["calibrated"], rtol=1e-5)
    assert changed["loss"] == results["loss"]  # only the metric reads it


@pytest.mark.parametrize("modes, codes", [("train", []), ("train,predict", ["norm/moving_mean"]),
                                          ("train,eval", ["norm/moving_mean"])])
def test_stale_state_needs_a_mode_that_reads_it(modes, codes):
    """Whether stale state changes a result takes a mode that returns one: PREDICT's predictions and
    EVAL's loss both read the hand-written moving mean; TRAIN alone cannot tell."""
    report = lint_case(os.path.join(CASES, "moving_average_not_run.py"), "--modes", modes)
    assert _names(report, "GL403") == codes
