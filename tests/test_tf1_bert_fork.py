"""Bugs from google-research/bert's issue tracker, planted in a user's fork of run_classifier.py (the
fork wraps bert's model_fn_builder and calls bert's own main(); bert's files, from PyPI's
bert-tensorflow 1.0.4, are unedited), under `graphlint run` and for real on TF 2.15 with the real
Estimator under the TF1 runtime:

- a variable the fork's model_fn creates only in EVAL: training's checkpoint lacks it, so evaluate()
  fails restoring it (NotFoundError naming it); graphlint: GL101 naming it;
- a LoggingTensorHook given to evaluation that fetches a tensor bert builds in TRAIN only (the
  gradient norm): evaluate() fails as the hook begins (KeyError naming it); graphlint: GL201 naming it.

The other two (an init_checkpoint under other scopes, an output_dir of an older bert_config) are in
test_tf1_bert.py.
"""

import os

import pytest

import tf1_bert

STEPS = len(tf1_bert.SENTENCES) // tf1_bert.TRAIN_BATCH


@pytest.fixture
def fork(tmp_path):
    return tf1_bert.fork_checkout(tmp_path)


def _trained_then_failed(proc, output_dir, error: str, name: str) -> None:
    """train() finished (its checkpoint is at the last step), then evaluate() raised `error` on `name`."""
    import tensorflow as tf

    assert proc.returncode == 1, proc.stderr[-3000:]
    assert tf.train.load_variable(tf.train.latest_checkpoint(str(output_dir)), "global_step") == STEPS
    raised = [line for line in proc.stderr.splitlines() if line.split(":", 1)[0].endswith(error)]
    assert any(name in line for line in raised), proc.stderr[-3000:]


def test_the_fork_without_a_planted_bug_is_clean(fork, tmp_path):
    code, report, err = tf1_bert.graphlint_run(fork, tmp_path / "gl")
    assert code == 0, err[-3000:]
    assert tf1_bert.errors(report) == [] and "TF1 runtime" in report["estimator_api"]


def test_an_eval_only_variable_is_gl101_naming_it(fork, tmp_path):
    code, report, err = tf1_bert.graphlint_run(fork, tmp_path / "gl", "--plant=eval_variable")
    assert code == 1, err[-3000:]
    (finding,) = tf1_bert.errors(report)
    assert (finding["code"], finding["name"], finding["modes"]) == ("GL101", tf1_bert.FORK_EVAL_VARIABLE, ["eval"])
    assert not os.path.exists(tmp_path / "gl" / "checkpoint")  # graphlint trained nothing


@pytest.mark.realtf
def test_an_eval_only_variable_fails_the_real_evaluate(fork, tmp_path):
    proc = tf1_bert.real_run(fork, tmp_path / "real", "--plant=eval_variable")
    _trained_then_failed(proc, tmp_path / "real", "NotFoundError", tf1_bert.FORK_EVAL_VARIABLE)


def test_an_eval_hook_on_a_train_only_tensor_is_gl201_naming_it(fork, tmp_path):
    code, report, err = tf1_bert.graphlint_run(fork, tmp_path / "gl", "--plant=eval_hook")
    assert code == 1, err[-3000:]
    (finding,) = tf1_bert.errors(report)
    assert (finding["code"], finding["name"], finding["modes"]) == ("GL201", tf1_bert.FORK_TRAIN_ONLY_TENSOR, ["eval"])


@pytest.mark.realtf
def test_an_eval_hook_on_a_train_only_tensor_fails_the_real_evaluate(fork, tmp_path):
    proc = tf1_bert.real_run(fork, tmp_path / "real", "--plant=eval_hook")
    _trained_then_failed(proc, tmp_path / "real", "KeyError", tf1_bert.FORK_TRAIN_ONLY_TENSOR)
