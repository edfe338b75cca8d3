"""TPUEstimator-style model_fns: the params TPUEstimator passes, and its TPUEstimatorSpec turned
into the EstimatorSpec TPUEstimator(use_tpu=False) hands to Estimator on a CPU.

On TF 2.15 the real TPUEstimatorSpec.as_estimator_spec() does the conversion; on TF 2.16+, which
has no tf.estimator, the stand-in below (installed as tf.compat.v1.estimator.tpu and
tf.estimator.tpu by tfcompat) does what it does: call scaffold_fn, call the eval_metrics and
host_call functions on their tensors, and fetch host_call's outputs from a hook on every step.
"""

from __future__ import annotations

import collections
import functools
import types

from graphlint.model.tfcompat import tf
from graphlint.tfpatch import estimator_internals, summary_writers

# TPUEstimator gives model_fn and input_fn the mode's global batch size in params["batch_size"],
# from its train/eval/predict_batch_size arguments, which a model file cannot pass to graphlint.
# This size stands in unless params (e.g. --params-eval) set "batch_size"; graph names and
# variable shapes rarely depend on it.
DEFAULT_BATCH_SIZE = 8
TPU_SPEC = "TPUEstimatorSpec"
_CONVERTED = "converted with as_estimator_spec(), as TPUEstimator(use_tpu=False) does on a CPU"


def names_tpu_spec(fn) -> bool:
    """Does model_fn's code (its closures and nested functions included) name TPUEstimatorSpec?

    TPUEstimator adds params["batch_size"] before input_fn runs, so graphlint has to decide before
    any spec exists; the code naming the spec class is the sign that TPUEstimator runs it
    (BERT's model_fn_builder closure does, whatever module holds it)."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    fn = getattr(fn, "__func__", fn)
    # a callable object's __call__ method holds the code (reading it, not testing callability)
    code = getattr(fn, "__code__", None) or getattr(getattr(fn, "__call__", None), "__code__", None)  # noqa: B004
    stack = [code] if code is not None else []
    while stack:
        code = stack.pop()
        if TPU_SPEC in code.co_names:
            return True
        stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return False


def estimator_params(model_fn, params: dict) -> dict:
    """The params TPUEstimator(use_tpu=False) would pass (batch_size per mode comes from params,
    e.g. --params-eval); a model_fn that does not name TPUEstimatorSpec gets its params unchanged."""
    if not names_tpu_spec(model_fn):
        return params
    out = dict(params)
    out["use_tpu"] = False  # TPUEstimator overwrites it with "not running on CPU"
    out.setdefault("batch_size", DEFAULT_BATCH_SIZE)
    return out


def converted_from(spec) -> str:
    """The spec class graphlint converts from ("TPUEstimatorSpec"), "" for an EstimatorSpec."""
    return TPU_SPEC if _is_tpu_spec(spec) else ""


def to_estimator_spec(spec):
    """The EstimatorSpec Estimator gets: a TPUEstimatorSpec converted as TPUEstimator does on a CPU
    (this calls the user's scaffold_fn, metric_fn and host_call function)."""
    return spec.as_estimator_spec() if _is_tpu_spec(spec) else spec


def _is_tpu_spec(spec) -> bool:
    if isinstance(spec, TPUEstimatorSpec):
        return True
    cls = estimator_internals.tpu_spec_class()  # the class TPUEstimator tests for
    return cls is not None and isinstance(spec, cls)


def describe(snapshots: dict) -> str:
    """The report header's words for a conversion: which modes, with which TPU params."""
    converted = [m for m, s in snapshots.items() if getattr(s, "converted_from", "")]
    if not converted:
        return ""
    sizes = {m: snapshots[m].params.get("batch_size") for m in converted}
    size = (f"batch_size={sizes[converted[0]]}" if len(set(sizes.values())) == 1
            else "batch_size " + ", ".join(f"{m} {s}" for m, s in sizes.items()))
    return f"{TPU_SPEC} {_CONVERTED} ({', '.join(converted)}; params use_tpu=False, {size})"


# --- the stand-in for tf.compat.v1.estimator.tpu on TF 2.16+ -----------------------------------

_TPU_SPEC_FIELDS = ("mode predictions loss train_op eval_metrics export_outputs scaffold_fn host_call "
                    "training_hooks evaluation_hooks prediction_hooks").split()


def _validate_host_call(name, host_call):
    """The checks TPUEstimatorSpec makes of eval_metrics and host_call: (fn, list or dict)."""
    if not isinstance(host_call, (tuple, list)) or len(host_call) != 2:
        raise ValueError(f"{name} should be a tuple or list of two elements")
    if not callable(host_call[0]):
        raise TypeError(f"{name}[0] should be callable.")
    if not isinstance(host_call[1], (tuple, list, dict)):
        raise ValueError(f"{name}[1] should be tuple or list, or dict.")


def _call_host(host_call):
    fn, tensors = host_call
    return fn(**tensors) if isinstance(tensors, dict) else fn(*tensors)


class TPUEstimatorSpec(collections.namedtuple("TPUEstimatorSpec", _TPU_SPEC_FIELDS)):
    """The stand-in TPUEstimatorSpec: same fields, same checks, same CPU conversion."""

    def __new__(cls, mode, predictions=None, loss=None, train_op=None, eval_metrics=None,
                export_outputs=None, scaffold_fn=None, host_call=None, training_hooks=None,
                evaluation_hooks=None, prediction_hooks=None):
        for name, host_call_ in (("eval_metrics", eval_metrics), ("host_call", host_call)):
            if host_call_ is not None:
                _validate_host_call(name, host_call_)
        hooks = [tuple(h or ()) for h in (training_hooks, evaluation_hooks, prediction_hooks)]
        for hook in hooks[0] + hooks[1] + hooks[2]:
            if not isinstance(hook, tf().compat.v1.train.SessionRunHook):
                raise TypeError(f"All hooks must be SessionRunHook instances, given: {hook}")
        return super().__new__(cls, mode, predictions, loss, train_op, eval_metrics, export_outputs,
                               scaffold_fn, host_call, *hooks)

    def as_estimator_spec(self):
        from graphlint.model.estimator_standin import EstimatorSpec

        metric_ops = _call_host(self.eval_metrics) if self.eval_metrics is not None else None
        hooks = (_OutfeedHostCallHook(_call_host(self.host_call)),) if self.host_call is not None else ()
        return EstimatorSpec(
            mode=self.mode, predictions=self.predictions, loss=self.loss, train_op=self.train_op,
            eval_metric_ops=metric_ops, export_outputs=self.export_outputs,
            scaffold=self.scaffold_fn() if self.scaffold_fn else None,
            training_hooks=self.training_hooks + hooks, evaluation_hooks=self.evaluation_hooks + hooks,
            prediction_hooks=self.prediction_hooks + hooks)


_hook_class = None


def _OutfeedHostCallHook(tensors):  # noqa: N802 - stands for the class, made on first use
    """What TPUEstimator runs host_call's outputs with on a CPU (the real hook's class name, so
    reports read the same on every TensorFlow): summary writers start with the session, and every
    step fetches the outputs. Made on first use: SessionRunHook means importing TensorFlow."""
    global _hook_class
    if _hook_class is None:
        class _OutfeedHostCallHook(tf().compat.v1.train.SessionRunHook):
            def __init__(self, tensors):
                self._tensors = tensors

            def begin(self):
                self._init_ops, self._finalize_ops = summary_writers.writer_init_and_flush_ops()

            def after_create_session(self, session, coord):
                session.run(self._init_ops)

            def before_run(self, run_context):
                return tf().compat.v1.train.SessionRunArgs(self._tensors)

            def end(self, session):
                session.run(self._finalize_ops)

        _hook_class = _OutfeedHostCallHook
    return _hook_class(tensors)


class TPUConfig:
    """Accepted and kept, as model files build a RunConfig with one; nothing runs on a TPU here."""

    def __init__(self, iterations_per_loop=2, num_shards=None, **kwargs):
        self.iterations_per_loop = iterations_per_loop
        self.num_shards = num_shards
        self.__dict__.update(kwargs)


class InputPipelineConfig:
    PER_SHARD_V1 = 1
    PER_HOST_V1 = 2
    PER_HOST_V2 = 3
    BROADCAST = 4
    SLICED = 5


def standin_tpu_module(run_config):
    mod = types.ModuleType("tensorflow.estimator.tpu", "graphlint's stand-in for tf.estimator.tpu")
    mod.TPUEstimatorSpec = TPUEstimatorSpec
    mod.TPUConfig = TPUConfig
    mod.InputPipelineConfig = InputPipelineConfig
    mod.RunConfig = run_config
    return mod
