"""GL402 and GL403 on correct code that used to look like their bugs, each verdict checked against
a real training run (tests/realtf/, the real Estimator on TF 2.15): optimizer wrappers that do
update the variables, and evaluation state that no result is computed from."""

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

@needs_estimator
@pytest.mark.parametrize("case", ["gradient_accumulation.py", "slim_create_train_op.py",
                                  "adam_weight_decay.py", "mixed_precision_rewrite.py"])
def test_wrapped_optimizer_updates_the_variables(case, tmp_path):
    assert _names(lint_case(os.path.join(CASES, case)), "GL402") == []
    before, after = _train(case, tmp_path)  # gradient_accumulation applies on its second step
    assert np.abs(after["w"] - before["w"]).max() > 0


@needs_estimator
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the runner's cancelled wait
def test_sync_replicas_updates_the_variables_a_gradient_reaches(tmp_path):
    """SyncReplicasOptimizer with one replica, its hook in training_hooks: the optimizer updates w
    (no GL402, sync_replicas.py's case has EXPECT = []) and leaves alone the gate no gradient reaches
    (GL402). Estimator.train takes two minutes here: when training ends, the chief's queue runner
    waits for gradients that never come, and MonitoredSession gives its threads 120 s to stop."""
    case = "sync_replicas_stop_gradient.py"
    assert _names(lint_case(os.path.join(CASES, case)), "GL402") == ["gate"]
    before, after = _train(case, tmp_path)
    assert np.abs(after["w"] - before["w"]).max() > 0
    assert before["gate"] == after["gate"] == 1.0  # its initializer: no gradient ever reached it


# --- GL403: evaluation state that TRAIN builds and never runs, and no result reads --------------

@needs_estimator
def test_eval_counter_no_result_reads_changes_no_result(tmp_path):
    """The counter stays at 0 in every checkpoint (the train op never runs TRAIN's increment), and
    that changes nothing evaluation returns: the same checkpoint with the counter at 1000
    evaluates to the same loss and AUC."""
    path = os.path.join(CASES, "eval_counter_metric_dependency.py")
    assert _names(lint_case(path), "GL403") == []
    counter = "class_0/sample_num_classid_0"
    with estimator_api() as est:
        model = _import_model(path)
        trained = est.Estimator(model.model_fn, model_dir=str(tmp_path / "run"), params=model.params)
        trained.train(model.input_fn, steps=2)
        ckpt = tf().train.load_checkpoint(str(tmp_path / "run"))
        assert ckpt.get_tensor(counter) == 0.0
        results = trained.evaluate(model.input_fn, steps=2)
        values = {name: ckpt.get_tensor(name) for name in ("w", counter)}
        write_variables(str(tmp_path / "changed"), dict(values, **{counter: np.float32(1000)}), step=2)
        changed = est.Estimator(model.model_fn, model_dir=str(tmp_path / "changed"), params=model.params)
        changed_results = changed.evaluate(model.input_fn, steps=2)
    assert 0.0 <= results["auc_class_0"] <= 1.0 and results["global_step"] == 2
    assert changed_results["auc_class_0"] == results["auc_class_0"]
    assert changed_results["loss"] == results["loss"]
