"""Reads of TensorFlow's private training helpers (tensorflow.python.training.training_util,
evaluation, basic_session_run_hooks) that Estimator and its evaluation loop call, called by
graphlint in the same order so a mode's graph gets the ops (and op names) Estimator's has.

Nothing is replaced here; tests/test_tf_private_api.py checks each symbol.
"""

from __future__ import annotations


def global_step_read() -> None:
    """training_util._get_or_create_global_step_read: the global step's read op, which Estimator's
    train adds before the hooks' begin()."""
    from tensorflow.python.training import training_util

    training_util._get_or_create_global_step_read()


def eval_step():
    """evaluation._get_or_create_eval_step: the `eval_step` counter of the evaluation loop."""
    from tensorflow.python.training import evaluation

    return evaluation._get_or_create_eval_step()


def latest_eval_step_value(update_ops) -> None:
    """evaluation._get_latest_eval_step_value: the eval step's read after `update_ops`, which the
    evaluation loop adds with its StopAfterNEvalsHook."""
    from tensorflow.python.training import evaluation

    evaluation._get_latest_eval_step_value(update_ops)


def final_ops(hook) -> tuple:
    """(FinalOpsHook._final_ops, FinalOpsHook._final_ops_feed_dict): what the hook runs, and
    feeds, in end(); the hook keeps them only privately until it has run."""
    return hook._final_ops, hook._final_ops_feed_dict
