"""Reads of tensorflow-estimator's private API (tensorflow_estimator.python.estimator: estimator,
model_fn, training, tpu.tpu_estimator, exporter): the helpers Estimator calls around model_fn,
which graphlint calls in the same order, and the private attributes where an Estimator keeps what
it was made with. graphlint's own stand-ins (graphlint/program/standin.py, for TF 2.16+ without
tensorflow-estimator) keep the same attributes, so both are read here alike.

Nothing is replaced here; tests/test_tf_private_api.py checks each symbol.
"""

from __future__ import annotations


def loss_metric():
    """estimator._verify_and_create_loss_metric(eval_metric_ops, loss): the metrics with the
    mean-of-loss one Estimator's evaluate adds."""
    from tensorflow_estimator.python.estimator import estimator as est_lib

    return est_lib._verify_and_create_loss_metric


def metric_update_ops():
    """estimator._extract_metric_update_ops(eval_dict): (the grouped update op, the value ops)."""
    from tensorflow_estimator.python.estimator import estimator as est_lib

    return est_lib._extract_metric_update_ops


def tpu_spec_class():
    """model_fn._TPUEstimatorSpec, the class TPUEstimator tests a model_fn's result for (the
    public TPUEstimatorSpec is its subclass); None without tensorflow-estimator."""
    try:
        from tensorflow_estimator.python.estimator import model_fn as model_fn_lib
    except ImportError:
        return None
    return model_fn_lib._TPUEstimatorSpec


def api_parts() -> tuple:
    """(estimator.Estimator, training.train_and_evaluate) as defined (the methods and the function
    graphlint replaces while a program runs), with tpu_estimator loaded so TPUEstimator subclasses
    the same Estimator."""
    from tensorflow_estimator.python.estimator import estimator, training
    from tensorflow_estimator.python.estimator.tpu import tpu_estimator  # noqa: F401 - loads TPUEstimator

    return estimator.Estimator, training.train_and_evaluate


def call_model_fn(est, features, labels, mode):
    """Estimator._call_model_fn: the user's model_fn called as Estimator calls it (params, config)."""
    return est._call_model_fn(features, labels, mode, est.config)


def call_input_fn(est, input_fn, mode):
    """Estimator._call_input_fn: the user's input_fn called as Estimator calls it (params, config)."""
    return est._call_input_fn(input_fn, mode)


def model_fn_of(est, default=None):
    """Estimator._model_fn: the model_fn as given (the public model_fn property wraps it);
    `default` when `est` has none."""
    return getattr(est, "_model_fn", default)


def warm_start_settings(est):
    """Estimator._warm_start_settings: its WarmStartSettings (warm_start_from), or None."""
    return getattr(est, "_warm_start_settings", None)


def tpu_batch_size(est, mode_key):
    """The batch size a TPUEstimator passes model_fn in params in mode `mode_key`: from
    TPUEstimator._ctx (its _InternalTPUContext), or the stand-in's _batch_sizes; None for an
    Estimator that sets none."""
    sizes = getattr(est, "_batch_sizes", None)  # graphlint's stand-in TPUEstimator
    if sizes is not None:
        return sizes.get(mode_key)
    ctx = getattr(est, "_ctx", None)  # the real TPUEstimator's context
    if ctx is None:
        return None
    with ctx.with_mode(mode_key) as mode_ctx:
        return mode_ctx.batch_size_for_model_fn


def exporter_receiver_fn(exporter):
    """The serving_input_receiver_fn of an exporter (Latest/Best/FinalExporter keep it in
    _saved_model_exporter._serving_input_receiver_fn); None when there is none."""
    inner = getattr(exporter, "_saved_model_exporter", exporter)
    return getattr(inner, "_serving_input_receiver_fn", None)
