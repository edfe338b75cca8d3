"""graphlint's stand-in for tf.estimator on TensorFlow 2.16+, which has none: ModeKeys,
EstimatorSpec (the same fields and required ones per mode), RunConfig, Estimator's EVAL loss metric
and metric grouping, export.ServingInputReceiver and the output kinds, the hook classes (TF core's
own) and tpu.TPUEstimatorSpec (model/tpu_spec.py). tfcompat.estimator_api() installs it only while
a build runs."""

from __future__ import annotations

import collections
import types

from graphlint.model.tfcompat import tf


class ModeKeys:
    TRAIN = "train"
    EVAL = "eval"
    PREDICT = "infer"


_SPEC_FIELDS = (
    "mode predictions loss train_op eval_metric_ops export_outputs training_chief_hooks "
    "training_hooks scaffold evaluation_hooks prediction_hooks"
).split()


class EstimatorSpec(collections.namedtuple("EstimatorSpec", _SPEC_FIELDS)):
    """The stand-in EstimatorSpec: same fields and the same required ones per mode."""

    def __new__(cls, mode, predictions=None, loss=None, train_op=None, eval_metric_ops=None,
                export_outputs=None, training_chief_hooks=None, training_hooks=None,
                scaffold=None, evaluation_hooks=None, prediction_hooks=None):
        if mode is None:
            raise ValueError("Missing mode.")
        if mode == ModeKeys.TRAIN and (loss is None or train_op is None):
            raise ValueError("Missing loss or train_op (both required in TRAIN mode).")
        if mode == ModeKeys.EVAL and loss is None:
            raise ValueError("Missing loss (required in EVAL mode).")
        if mode == ModeKeys.PREDICT and predictions is None:
            raise ValueError("Missing predictions (required in PREDICT mode).")
        return super().__new__(
            cls, mode, predictions, loss, train_op, eval_metric_ops or {}, export_outputs,
            tuple(training_chief_hooks or ()), tuple(training_hooks or ()),
            scaffold or tf().compat.v1.train.Scaffold(), tuple(evaluation_hooks or ()),
            tuple(prediction_hooks or ()),
        )


LOSS_METRIC_KEY = "loss"


def verify_and_create_loss_metric(eval_metric_ops: dict, loss) -> dict:
    """The stand-in for Estimator's own `loss` metric in EVAL: the mean of the loss."""
    if LOSS_METRIC_KEY in eval_metric_ops:
        raise ValueError(f'Metric with name "{LOSS_METRIC_KEY}" is not allowed, because Estimator '
                         "already defines a default metric with the same name.")
    eval_metric_ops[LOSS_METRIC_KEY] = tf().compat.v1.metrics.mean(loss)
    return eval_metric_ops


def extract_metric_update_ops(eval_dict: dict):
    """The stand-in for Estimator's grouping of the metric updates (sorted, so the graph is stable)."""
    updates = [value[1] for _, value in sorted(eval_dict.items())]
    values = {name: value[0] for name, value in eval_dict.items()}
    return (tf().group(*updates) if updates else None), values


class RunConfig:
    """The attributes model_fns commonly read from Estimator's RunConfig."""

    def __init__(self, model_dir=None, **kwargs):
        self.model_dir = model_dir
        self.is_chief = True
        self.num_worker_replicas = 1
        self.num_ps_replicas = 0
        self.task_type = "worker"
        self.task_id = 0
        self.cluster_spec = None
        self.session_config = None
        self.save_checkpoints_steps = None
        self.train_distribute = None
        self.eval_distribute = None
        self.__dict__.update(kwargs)


def standin_module():
    t = tf()
    mod = types.ModuleType("tensorflow.estimator", "graphlint's stand-in for tf.estimator")
    train = t.compat.v1.train
    mod.ModeKeys = ModeKeys
    mod.EstimatorSpec = EstimatorSpec
    mod.RunConfig = RunConfig
    for name in ("SessionRunHook", "SessionRunArgs", "SessionRunContext", "SessionRunValues",
                 "Scaffold", "LoggingTensorHook", "StopAtStepHook", "CheckpointSaverHook",
                 "StepCounterHook", "SummarySaverHook", "NanTensorHook", "FinalOpsHook",
                 "FeedFnHook", "GlobalStepWaiterHook", "ProfilerHook"):
        if hasattr(train, name):
            setattr(mod, name, getattr(train, name))
    try:
        from graphlint.tfpatch.saved_model import export_output_classes

        mod.export = types.SimpleNamespace(ServingInputReceiver=ServingInputReceiver, **export_output_classes())
    except ImportError:
        pass
    from graphlint.model.tpu_spec import standin_tpu_module

    mod.tpu = standin_tpu_module(RunConfig)  # TPUEstimatorSpec for BERT-style model_fns
    mod.__graphlint_standin__ = True
    return mod


class ServingInputReceiver(collections.namedtuple(
        "ServingInputReceiver", ("features", "receiver_tensors", "receiver_tensors_alternatives"))):
    """What a serving_input_receiver_fn returns, for TF 2.16+ (tf.estimator.export.ServingInputReceiver).
    As Estimator's: a lone tensor becomes a one-entry dict ('feature', 'receiver_tensor')."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        alternatives = None if receiver_tensors_alternatives is None else {
            name: _as_dict(group, "receiver_tensors_alternative")
            for name, group in receiver_tensors_alternatives.items()}
        return super().__new__(cls, _as_dict(features, "feature"), _as_dict(receiver_tensors, "receiver_tensor"),
                               alternatives)


def _as_dict(tensors, key: str) -> dict:
    if tensors is None:
        raise ValueError(f"{key}s must be defined")
    return dict(tensors) if isinstance(tensors, dict) else {key: tensors}
