"""The suite's one real-TensorFlow harness: what TensorFlow really does with a model file.

- run_for_real() (here): train, then evaluate, as Estimator would; tests compare graphlint's
  predictions with its Outcome. With the real tf.estimator (TF 2.15 + tensorflow-estimator) we
  call Estimator.train/evaluate; on TF 2.16+, which has no Estimator, we replay what Estimator
  does in graph mode (same graphs, same hooks, same session classes), so restore and hook-fetch
  failures happen exactly as they would.
- realtf.checkpoints: the suite's checkpoint writers (train a model file N steps and save as
  Estimator does; save given variables; a TF2 object-based checkpoint).
- realtf.restore: restore one mode of a model file from a given checkpoint, as Estimator does,
  and record where TF stopped and which keys it refused.

All of them build a mode with build() below, so every graph is the one Estimator would build.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import io
import itertools
import os
import re
import sys
from dataclasses import dataclass, field

from graphlint.model.tfcompat import estimator_api, real_estimator, tf


@dataclass
class Outcome:
    train_error: str | None = None  # exception text if training failed
    restore_error: str | None = None  # the EVAL restore failed (e.g. NotFoundError)
    missing_keys: set[str] = field(default_factory=set)  # "Key X not found in checkpoint"
    hook_error: str | None = None  # running the eval hooks' fetches failed
    missing_fetches: set[str] = field(default_factory=set)  # fetch names TF said do not exist
    output: str = ""  # what the model's hooks printed during evaluation
    eval_error: str | None = None  # any other evaluation failure, so none goes unreported

    @property
    def ok(self) -> bool:
        return not (self.train_error or self.restore_error or self.hook_error or self.eval_error)


_MISSING_KEY = re.compile(r"Key (\S+) not found in checkpoint")
_MISSING_FETCH = re.compile(
    r"The name '([^']+)' refers to an? (?:Tensor|Operation) "
    r"(?:which does not exist|not in the graph)")
_module_ids = itertools.count()


def run_for_real(model_path: str, workdir: str,
                 train_steps: int = 2, eval_steps: int = 3) -> Outcome:
    """Train the model in `model_path` for `train_steps`, then evaluate it from its checkpoint."""
    # Ask before estimator_api(): inside it, real_estimator() also sees the stand-in.
    run = _run_estimator if real_estimator() is not None else _run_emulated
    with estimator_api():  # model files read tf.estimator at import and while building graphs
        return run(_import_model(model_path), workdir, train_steps, eval_steps)


def _import_model(model_path):
    """Import the file under a fresh name, its folder on sys.path for sibling modules."""
    folder = os.path.dirname(os.path.abspath(model_path))
    name = f"_realtf_model_{next(_module_ids)}"
    spec = importlib.util.spec_from_file_location(name, model_path)
    module = importlib.util.module_from_spec(spec)
    before = set(sys.modules)
    sys.path.insert(0, folder)
    saved_bytecode_flag, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = saved_bytecode_flag
        sys.path.remove(folder)
        # Forget the siblings it imported, so a model from another folder gets its own.
        for mod_name in set(sys.modules) - before:
            if os.path.dirname(getattr(sys.modules[mod_name], "__file__", None) or "") == folder:
                del sys.modules[mod_name]
    return module


# --- the real Estimator (TF 2.15) ---------------------------------------------------------

def _run_estimator(model, workdir, train_steps, eval_steps):
    outcome = Outcome()
    estimator = tf().estimator.Estimator(model.model_fn, model_dir=workdir, params=model.params)
    try:
        estimator.train(model.input_fn, steps=train_steps)
    except Exception as exc:  # noqa: BLE001 - reporting what TF raised is the point
        outcome.train_error = _text(exc)
        return outcome
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            estimator.evaluate(model.input_fn, steps=eval_steps)
    except Exception as exc:  # noqa: BLE001
        _classify_eval_error(outcome, exc)
    outcome.output = out.getvalue()
    return outcome


# --- emulating Estimator in graph mode (TF 2.16+) ------------------------------------------

def _run_emulated(model, workdir, train_steps, eval_steps):
    outcome = Outcome()
    try:
        _train(model, workdir, train_steps)
    except Exception as exc:  # noqa: BLE001
        outcome.train_error = _text(exc)
        return outcome
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            _evaluate(model, workdir, eval_steps, outcome)
    except Exception as exc:  # noqa: BLE001 - building EVAL failed: Estimator.evaluate raises it too
        _classify_eval_error(outcome, exc)
    outcome.output = out.getvalue()
    return outcome


def _build(model, mode, workdir, params=None):
    """What Estimator does in the default graph: global step, input_fn on the CPU, model_fn.
    `params` are merged over the module's own; returns (EstimatorSpec, the input's hooks)."""
    t = tf()
    t.compat.v1.train.get_or_create_global_step()
    config = t.estimator.RunConfig(model_dir=workdir)
    params = dict(model.params, **params) if params else model.params
    with t.device("/cpu:0"):
        result = _call(model.input_fn, {"params": params, "mode": mode, "config": config})
    input_hooks = []
    if isinstance(result, t.data.Dataset):
        iterator = t.compat.v1.data.make_initializable_iterator(result)
        input_hooks.append(_DatasetInitializerHook(iterator))
        result = iterator.get_next()
    features, labels = result if isinstance(result, tuple) else (result, None)
    if mode == t.estimator.ModeKeys.PREDICT:  # Estimator hands model_fn no labels to predict
        labels = None
    spec = _call(model.model_fn, {"features": features, "labels": labels, "mode": mode,
                                  "params": params, "config": config})
    return spec, input_hooks


def _train(model, workdir, train_steps):
    t = tf()
    train = t.compat.v1.train
    with t.Graph().as_default():
        spec, input_hooks = _build(model, t.estimator.ModeKeys.TRAIN, workdir)
        hooks = input_hooks + [train.StopAtStepHook(last_step=train_steps),
                               train.NanTensorHook(spec.loss)] + list(spec.training_hooks)
        # save_checkpoint_steps=train_steps: the saver hook also saves the last step at end().
        with train.MonitoredTrainingSession(
                checkpoint_dir=workdir, hooks=hooks, scaffold=spec.scaffold,
                chief_only_hooks=list(spec.training_chief_hooks),
                save_checkpoint_steps=train_steps, save_checkpoint_secs=None) as session:
            while not session.should_stop():
                session.run([spec.train_op, spec.loss])


def _evaluate(model, workdir, eval_steps, outcome):
    """Estimator's evaluation: restore the latest checkpoint, run the metric updates."""
    t = tf()
    train = t.compat.v1.train
    with t.Graph().as_default():
        spec, input_hooks = _build(model, t.estimator.ModeKeys.EVAL, workdir)
        metrics = dict(spec.eval_metric_ops)
        metrics["loss"] = t.compat.v1.metrics.mean(spec.loss)  # Estimator always adds this one
        update_ops = t.group(*(update for _, update in metrics.values()))
        final_values = {name: value for name, (value, _) in metrics.items()}
        hooks = input_hooks + list(spec.evaluation_hooks) + [train.FinalOpsHook(final_values)]
        scaffold = spec.scaffold
        if scaffold.local_init_op is not None:  # Estimator adds its metric variables to the user's
            scaffold = train.Scaffold(copy_from_scaffold=scaffold, local_init_op=t.group(
                scaffold.local_init_op, train.Scaffold.default_local_init_op()))
        creator = train.ChiefSessionCreator(
            scaffold=scaffold,
            checkpoint_filename_with_path=t.train.latest_checkpoint(workdir))
        try:
            with train.MonitoredSession(session_creator=creator, hooks=hooks) as session:
                for _ in range(eval_steps):
                    if session.should_stop():
                        break
                    session.run(update_ops)
        except Exception as exc:  # noqa: BLE001
            _classify_eval_error(outcome, exc)


class _DatasetInitializerHook(tf().compat.v1.train.SessionRunHook):
    """Estimator's own hook: initialize the input iterator once the session exists."""

    def __init__(self, iterator):
        self._iterator = iterator

    def begin(self):
        self._initializer = self._iterator.initializer

    def after_create_session(self, session, coord):
        session.run(self._initializer)


# --- shared helpers ------------------------------------------------------------------------

def _call(fn, available):
    """Call fn with the arguments it declares, as Estimator does for input_fn and model_fn."""
    wanted = inspect.signature(fn).parameters
    return fn(**{name: value for name, value in available.items() if name in wanted})


def _classify_eval_error(outcome, exc):
    """Sort by what TF says: Estimator.evaluate restores and runs in one call, so we can't
    tell by the phase, and both paths should agree."""
    text = _text(exc)
    errors = tf().errors
    # Saver.restore, called while the session is created, rewraps every restore failure
    # as "Restoring from checkpoint failed. ..." keeping the error class.
    if isinstance(exc, (errors.NotFoundError, errors.InvalidArgumentError)) and \
            "Restoring from checkpoint failed" in text:
        outcome.restore_error = text
        outcome.missing_keys = set(_MISSING_KEY.findall(text))
    elif isinstance(exc, (KeyError, ValueError, TypeError)) and _MISSING_FETCH.search(text):
        outcome.hook_error = text
        outcome.missing_fetches = set(_MISSING_FETCH.findall(text))
    else:
        outcome.eval_error = text


def _text(exc):
    return f"{type(exc).__name__}: {exc}"
