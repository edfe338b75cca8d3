"""Every TensorFlow hook that takes names or tensors, with a name TRAIN builds and EVAL does not.

The same hook is attached to both modes. graphlint must say: fine in train, an error in eval at
the line that constructed the hook; and a real run (Estimator on TF 2.15, its replay on 2.16+)
must agree: training works, evaluation fails. Hooks that take no user names must be clean and
run for real.
"""

import os

import pytest

pytest.importorskip("tensorflow")

from corpus import lint_case, write_model  # noqa: E402
from realtf import run_for_real  # noqa: E402

pytestmark = pytest.mark.realtf  # every test here runs real TensorFlow (trains, evaluates or restores)


MODEL = '''import os

import tensorflow as tf

from graphlint.rules.example_common import input_fn, linear, params, spec  # noqa: F401

HERE = os.path.dirname(os.path.abspath(__file__))


class Listener(tf.compat.v1.train.CheckpointSaverListener):
    def begin(self):
        tf.compat.v1.get_default_graph().get_tensor_by_name("train_only:0")


class Picky(tf.compat.v1.train.CheckpointSaverListener):
    def begin(self):
        if not tf.compat.v1.get_collection("train_only"):
            raise RuntimeError("built for training")


def model_fn(features, labels, mode, params):
    logits = linear(features, params["units"])
    if mode == tf.estimator.ModeKeys.TRAIN:
        tf.identity(logits, name="train_only")
        tf.reduce_mean(logits, name="train_only_mean")
        tf.compat.v1.summary.scalar("train_only_summary", tf.reduce_mean(logits))
        tf.compat.v1.placeholder_with_default(0.0, [], name="train_only_input")
        tf.compat.v1.add_to_collection("train_only", logits)
    hook = {hook}
    return spec(mode, logits, labels, training_hooks=[hook], evaluation_hooks=[hook])
'''
HOOK_LINE = MODEL.splitlines().index("    hook = {hook}") + 1

# id: (hook expression, the name eval misses or None when nothing is missing, when TF resolves it)
HOOKS = {
    "logging_dict": ('tf.compat.v1.train.LoggingTensorHook({"t": "train_only"}, every_n_iter=1)',
                     "train_only:0", "begin"),
    "logging_list": ('tf.compat.v1.train.LoggingTensorHook(["train_only:0"], every_n_iter=1)',
                     "train_only:0", "begin"),
    "logging_formatter": ('tf.compat.v1.train.LoggingTensorHook({"t": "train_only:0"}, every_n_iter=1, '
                          'formatter=lambda values: str(values))', "train_only:0", "begin"),
    "logging_at_end": ('tf.compat.v1.train.LoggingTensorHook(["train_only"], at_end=True)',
                       "train_only:0", "begin"),
    "estimator_alias": ('tf.estimator.LoggingTensorHook({"t": "train_only"}, every_n_iter=1)',
                        "train_only:0", "begin"),
    "summary_saver": ('tf.compat.v1.train.SummarySaverHook(save_steps=1, output_dir=os.path.join(HERE, "out"), '
                      'summary_op="train_only_summary:0")', "train_only_summary:0", "before_run"),
    "nan_tensor": ('tf.compat.v1.train.NanTensorHook("train_only_mean:0")', "train_only_mean:0", "before_run"),
    "final_ops": ('tf.compat.v1.train.FinalOpsHook({"m": "train_only_mean:0"})', "train_only_mean:0", "end"),
    "feed_fn": ('tf.compat.v1.train.FeedFnHook(lambda: {"train_only_input:0": 1.0})',
                "train_only_input:0", "feed"),
    "checkpoint_listener": ('tf.compat.v1.train.CheckpointSaverHook(os.path.join(HERE, "out"), save_steps=1, '
                            'listeners=[Listener()])', "train_only:0", "begin"),
    "step_counter": ('tf.compat.v1.train.StepCounterHook(every_n_steps=1, output_dir=os.path.join(HERE, "out"))',
                     None, None),
    "profiler": ('tf.compat.v1.train.ProfilerHook(save_steps=1000, output_dir=os.path.join(HERE, "out", mode))', None, None),
    "global_step_waiter": ("tf.compat.v1.train.GlobalStepWaiterHook(wait_until_step=0)", None, None),
    "stop_at_step": ("tf.compat.v1.train.StopAtStepHook(num_steps=100)", None, None),
    "checkpoint_saver": ('tf.compat.v1.train.CheckpointSaverHook(os.path.join(HERE, "out"), save_steps=1, '
                         'saver=tf.compat.v1.train.Saver())', None, None),
}


def _write_model(folder, hook):
    return write_model(folder, MODEL.replace("{hook}", hook))


@pytest.mark.parametrize("case", sorted(HOOKS))
def test_hook_verdict_matches_a_real_run(case, tmp_path):
    hook, missing, moment = HOOKS[case]
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    path = _write_model(model_dir, hook)

    report = lint_case(path)
    assert not (model_dir / "out").exists(), "graphlint must not write (summary writers are null)"
    errors = [(f.code, f.modes, f.name) for f in report.errors]
    outcome = run_for_real(path, str(tmp_path / "work"))

    if missing is None:
        assert errors == [], report.findings
        assert outcome.ok, outcome
        return
    assert errors == [("GL201", ("eval",), missing)], report.findings
    finding = report.errors[0]
    assert (os.path.basename(finding.location.file), finding.location.line) == ("model.py", HOOK_LINE)
    fetch, = [x for x in report.snapshots["eval"].fetches if not x.resolved]
    assert fetch.moment == moment
    assert all(x.resolved for x in report.snapshots["train"].fetches)
    assert outcome.train_error is None, outcome
    assert not outcome.ok, outcome


def test_begin_raising_for_another_reason_is_an_error(tmp_path):
    """A hook whose begin() fails on something other than a name still stops the mode."""
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    path = _write_model(model_dir, 'tf.compat.v1.train.CheckpointSaverHook(os.path.join(HERE, "out", mode), '
                                   'save_steps=1, listeners=[Picky()])')
    report = lint_case(path)
    got = [(f.code, f.severity, f.modes, os.path.basename(f.location.file))
           for f in report.findings if f.code.startswith("GL2")]
    assert got == [("GL203", "error", ("eval",), "model.py")], report.findings
    outcome = run_for_real(path, str(tmp_path / "work"))
    assert outcome.train_error is None and outcome.eval_error.startswith("RuntimeError"), outcome
