"""The Estimator API parts `graphlint run` intercepts, on every supported TensorFlow.

TF 2.15 with tensorflow-estimator: the real classes (Estimator, its subclasses, TPUEstimator) and
the real train_and_evaluate. TF 2.16+ has no tf.estimator: graphlint's stand-in module gets
Estimator, TPUEstimator, TrainSpec, EvalSpec, WarmStartSettings, the exporters and
train_and_evaluate for the run, with Estimator's own rules for calling input_fn and model_fn, so a
legacy training program can be checked on a new TensorFlow. Canned estimators (DNNClassifier, ...)
need tensorflow-estimator.
"""

from __future__ import annotations

import collections
import copy
import inspect

from graphlint.model.estimator_standin import RunConfig
from graphlint.model.tfcompat import tf
from graphlint.tfpatch import estimator_internals


def api_parts(est_module):
    """(Estimator base class, train_and_evaluate, API modules that may hold it) for `est_module`."""
    if getattr(est_module, "__graphlint_standin__", False):
        install(est_module)
        return Estimator, est_module.train_and_evaluate, [est_module]
    base, train_and_evaluate = estimator_internals.api_parts()
    t = tf()
    lazy = [est_module, t.estimator, t.compat.v1.estimator, t.compat.v2.estimator]
    for mod in lazy:
        mod.Estimator  # noqa: B018 - a lazy loader copies the module's names on first access
    return base, train_and_evaluate, lazy


def install(mod) -> None:
    """Put the Estimator classes on graphlint's stand-in tf.estimator module."""
    for name, value in (("Estimator", Estimator), ("WarmStartSettings", WarmStartSettings),
                        ("TrainSpec", TrainSpec), ("EvalSpec", EvalSpec),
                        ("train_and_evaluate", _standin_train_and_evaluate),
                        ("LatestExporter", Exporter), ("BestExporter", Exporter),
                        ("FinalExporter", Exporter)):
        setattr(mod, name, value)
    mod.tpu.TPUEstimator = TPUEstimator


WarmStartSettings = collections.namedtuple(
    "WarmStartSettings",
    ["ckpt_to_initialize_from", "vars_to_warm_start", "var_name_to_vocab_info", "var_name_to_prev_var_name"])
WarmStartSettings.__new__.__defaults__ = (".*", None, None)

TrainSpec = collections.namedtuple("TrainSpec", ["input_fn", "max_steps", "hooks", "saving_listeners"])
TrainSpec.__new__.__defaults__ = (None, (), ())

EvalSpec = collections.namedtuple(
    "EvalSpec", ["input_fn", "steps", "name", "hooks", "exporters", "start_delay_secs", "throttle_secs"])
EvalSpec.__new__.__defaults__ = (100, None, (), (), 120, 600)


class Exporter:
    """LatestExporter / BestExporter / FinalExporter: what graphlint needs is the receiver fn."""

    def __init__(self, name, serving_input_receiver_fn, *args, **kwargs):
        self.name = name
        self._serving_input_receiver_fn = serving_input_receiver_fn


def _standin_train_and_evaluate(estimator, train_spec, eval_spec):
    raise RuntimeError("graphlint's stand-in train_and_evaluate runs only under `graphlint run`")


def _warm_start_settings(warm_start_from):
    """As Estimator reads warm_start_from: a path (a model directory means its latest checkpoint)
    or WarmStartSettings."""
    if warm_start_from is None or isinstance(warm_start_from, WarmStartSettings):
        return warm_start_from
    path = str(warm_start_from)
    if tf().io.gfile.isdir(path):
        path = tf().train.latest_checkpoint(path) or path
    return WarmStartSettings(path)


class Estimator:
    """Estimator's constructor and its rules for calling input_fn and model_fn; its entry points
    run only as graphlint's recorders."""

    def __init__(self, model_fn, model_dir=None, config=None, params=None, warm_start_from=None):
        if model_fn is None:
            raise ValueError("model_fn must be provided to Estimator.")
        self._config = copy.copy(config) if config is not None else RunConfig()
        if model_dir is not None:
            self._config.model_dir = model_dir
        self._model_dir = self._config.model_dir
        self._model_fn = model_fn
        self._params = copy.deepcopy(params or {})
        self._warm_start_settings = _warm_start_settings(warm_start_from)

    model_dir = property(lambda self: self._model_dir)
    config = property(lambda self: copy.copy(self._config))
    params = property(lambda self: copy.deepcopy(self._params))
    model_fn = property(lambda self: self._model_fn)

    def _call_input_fn(self, input_fn, mode, input_context=None):
        args = set(inspect.signature(input_fn).parameters)
        kwargs = {k: v for k, v in (("mode", mode), ("params", self.params), ("config", self.config)) if k in args}
        with tf().compat.v1.device("/cpu:0"):
            return input_fn(**kwargs)

    def _call_model_fn(self, features, labels, mode, config):
        args = set(inspect.signature(self._model_fn).parameters)
        kwargs = {}
        if "labels" in args:
            kwargs["labels"] = labels
        elif labels is not None:
            raise ValueError("model_fn does not take labels, but input_fn returns labels.")
        kwargs.update((k, v) for k, v in (("mode", mode), ("params", self._mode_params(mode)),
                                          ("config", config)) if k in args)
        return self._model_fn(features=features, **kwargs)

    def _mode_params(self, mode):
        return self.params

    def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
        raise RuntimeError("graphlint's stand-in Estimator trains only under `graphlint run`")

    def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
        raise RuntimeError("graphlint's stand-in Estimator evaluates only under `graphlint run`")

    def predict(self, input_fn, predict_keys=None, hooks=None, checkpoint_path=None, yield_single_examples=True):
        raise RuntimeError("graphlint's stand-in Estimator predicts only under `graphlint run`")

    def export_saved_model(self, export_dir_base, serving_input_receiver_fn, assets_extra=None, as_text=False,
                           checkpoint_path=None, experimental_mode="infer"):
        raise RuntimeError("graphlint's stand-in Estimator exports only under `graphlint run`")


class TPUEstimator(Estimator):
    """TPUEstimator as it runs on a CPU (use_tpu=False): params get `batch_size` for the mode."""

    def __init__(self, model_fn=None, model_dir=None, config=None, params=None, use_tpu=True,
                 train_batch_size=None, eval_batch_size=None, predict_batch_size=None, batch_axis=None,
                 eval_on_tpu=True, export_to_tpu=True, export_to_cpu=True, warm_start_from=None, **kwargs):
        if params and "batch_size" in params:
            raise ValueError("params cannot include batch_size: TPUEstimator sets it from the *_batch_size arguments")
        super().__init__(model_fn, model_dir, config, params, warm_start_from)
        self._batch_sizes = {"train": train_batch_size, "eval": eval_batch_size, "infer": predict_batch_size}

    def _mode_params(self, mode):
        params = self.params
        params["use_tpu"] = False
        if self._batch_sizes.get(mode) is not None:
            params["batch_size"] = self._batch_sizes[mode]
        return params

    def _call_input_fn(self, input_fn, mode, input_context=None):
        args = set(inspect.signature(input_fn).parameters)
        if "params" not in args:
            raise ValueError("input_fn does not include params argument, required by TPUEstimator "
                             "to pass batch size as params['batch_size']")
        kwargs = {k: v for k, v in (("mode", mode), ("params", self._mode_params(mode)),
                                    ("config", self.config)) if k in args}
        with tf().compat.v1.device("/cpu:0"):
            return input_fn(**kwargs)
