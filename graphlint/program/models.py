"""Turn a program's recorded Estimator calls into the Models graphlint builds.

Calls are grouped by model_dir: that is the checkpoint train() writes and evaluate(), predict()
and export restore, even when the program makes a separate Estimator for each. Each mode is built
from its own call, as that call's Estimator would build it: its input_fn through the Estimator's
_call_input_fn, its model_fn through _call_model_fn (params and config as the Estimator passes
them, TPUEstimator's batch_size included), the call's hooks before the spec's, and in TRAIN the
Estimator's warm start when model_dir has no checkpoint yet.
"""

from __future__ import annotations

import copy
import dataclasses
import types
from dataclasses import dataclass, field

from graphlint.model.loader import Model
from graphlint.model.tfcompat import tf
from graphlint.tfpatch import estimator_internals, warm_starting

MODE_KEYS = {"train": "train", "eval": "eval", "predict": "infer"}  # ModeKeys' values
_MODE_NAMES = {v: k for k, v in MODE_KEYS.items()}
_SPEC_HOOKS = {"train": "training_hooks", "eval": "evaluation_hooks", "predict": "prediction_hooks"}


@dataclass
class ProgramModel:
    model: Model
    modes: tuple  # the modes the program called, in MODES order
    checkpoint: str = None  # model_dir's latest checkpoint, when there is one
    warm_start: str = None  # the checkpoint Estimator(warm_start_from=...) reads
    params: dict = field(default_factory=dict)  # mode -> the params its Estimator passes (for the report)


def program_models(program, calls, sites) -> list:
    """One ProgramModel per model_dir. Calls of a mode that build the same graph (one model_fn,
    params, config: train_and_evaluate's evaluation, then evaluate() on the same Estimator) are
    one build, with all their hooks; only a mode called with other params or config adds a variant."""
    groups = {}
    for call in calls:
        builds = groups.setdefault(call.model_dir or f"<estimator {id(call.estimator)}>", {})
        builds.setdefault(call.mode, {}).setdefault(_build_key(call), []).append(call)
    out = []
    for model_dir, by_mode in groups.items():
        variants = {m: list(b.values()) for m, b in by_mode.items()}
        for variant in range(max(len(v) for v in variants.values())):
            chosen = {m: vs[min(variant, len(vs) - 1)] for m, vs in variants.items()}
            out.append(_program_model(program, model_dir, chosen, sites))
    return out


def _build_key(call) -> tuple:
    """What decides the graph a call builds, besides its input_fn and hooks: the model_fn, the
    params and config the Estimator passes, its warm start, and export's serving features."""
    est = call.estimator
    config = getattr(est, "config", None)
    try:
        config_key = repr(sorted(vars(config).items())) if config is not None else ""
    except TypeError:  # a config without __dict__ is compared by identity
        config_key = id(config)
    return (id(estimator_internals.model_fn_of(est, est)), repr(_params(est, call.mode)), config_key,
            _warm_start_path(est), call.entry == "export_saved_model")


def _merged(calls):
    """The first call, with the hooks of every call of the same build (each hook object once)."""
    hooks = list({id(h): h for c in calls for h in c.hooks}.values())
    return dataclasses.replace(calls[0], hooks=tuple(hooks))


def _program_model(program, model_dir, builds: dict, sites) -> ProgramModel:
    from graphlint.constants import MODES

    modes = tuple(m for m in MODES if m in builds)
    chosen = {m: _merged(builds[m]) for m in modes}
    module = types.ModuleType("__main__")
    module.__file__ = program.path
    where = ", ".join(c.where() for m in modes for c in builds[m])
    target = f"{program.name} [model_dir {model_dir}: {where}]"
    model = Model(target=target, module=module, model_fn=_model_fn(chosen),
                  input_fns={m: _input_fn(chosen[m]) for m in modes}, params={}, sites=sites,
                  model_fn_args=("features", "labels", "mode"))
    first = chosen[modes[0]].estimator
    return ProgramModel(model, modes, _latest_checkpoint(model_dir), _warm_start_path(first),
                        {m: _params(chosen[m].estimator, m) for m in modes})


# Whose input_fn feeds one Estimator's PREDICT batch, first choice first: predict's is what the model
# was run on; evaluate's is held-out data; train's the training data; an export only has its receiver.
PREDICT_FEEDS = ("predict", "evaluate", "train", "export_saved_model")


def predict_model(program, calls, sites) -> Model:
    """The model of one Estimator's calls (`graphlint migrate --old-program`): its model_fn called as
    the Estimator calls it in any mode (its params and config), so PREDICT builds even when the
    program only trained; PREDICT's input_fn is PREDICT_FEEDS' first call's, called as that call's
    Estimator calls it; an export's receiver is the module's serving_input_receiver_fn."""
    est, feed = calls[0].estimator, predict_feed(calls)
    module = types.ModuleType("__main__")
    module.__file__ = program.path
    exports = [c for c in calls if c.entry == "export_saved_model"]
    if exports:
        module.serving_input_receiver_fn = exports[0].input_fn  # serving.build's RECEIVER_FN

    def model_fn(features, labels, mode):
        return estimator_internals.call_model_fn(est, features, labels, mode)

    target = f"{program.name} [{type(est).__name__}, model_dir {calls[0].model_dir or '-'}]"
    return Model(target=target, module=module, model_fn=model_fn, input_fns={"predict": _input_fn(feed)}, params={},
                 sites=sites, model_fn_args=("features", "labels", "mode"))


def predict_feed(calls):
    """The call whose input_fn feeds PREDICT (PREDICT_FEEDS' first)."""
    return min(calls, key=lambda c: PREDICT_FEEDS.index(c.entry))


def _model_fn(chosen: dict):
    def model_fn(features, labels, mode):
        name = _MODE_NAMES[str(mode)]
        call = chosen[name]
        est = call.estimator
        spec = estimator_internals.call_model_fn(est, features, labels, mode)
        if name == "train":
            _warm_start(est)
        return _with_call_hooks(spec, name, call.hooks)
    return model_fn


def _input_fn(call):
    def input_fn():
        if call.entry == "export_saved_model":
            receiver = call.input_fn()  # export builds PREDICT from the serving receiver's features
            return receiver.features
        return estimator_internals.call_input_fn(call.estimator, call.input_fn, MODE_KEYS[call.mode])
    input_fn.__name__ = getattr(call.input_fn, "__name__", "input_fn")
    return input_fn


def _with_call_hooks(spec, mode: str, hooks: tuple):
    """Estimator runs the hooks passed to train()/evaluate()/predict() first, then the spec's."""
    if not hooks or not hasattr(spec, "_replace"):
        return spec
    attr = _SPEC_HOOKS[mode]
    return spec._replace(**{attr: tuple(hooks) + tuple(getattr(spec, attr, None) or ())})


def _warm_start(est) -> None:
    """What Estimator's train does after model_fn: warm-start unless model_dir has a checkpoint."""
    settings = estimator_internals.warm_start_settings(est)
    if settings and not _latest_checkpoint(est.model_dir):
        warm_starting.warm_start(*settings)  # as Estimator calls it: through the module, which graphlint records


def _warm_start_path(est):
    settings = estimator_internals.warm_start_settings(est)
    return str(settings.ckpt_to_initialize_from) if settings else None


def _latest_checkpoint(model_dir):
    if not model_dir or model_dir.startswith("<"):
        return None
    try:
        return tf().train.latest_checkpoint(model_dir)
    except Exception:  # noqa: BLE001 - an unreadable model_dir has no checkpoint to check
        return None


def _params(est, mode: str) -> dict:
    """The params the Estimator passes in `mode`, for the report (GL106 names those that differ)."""
    try:
        params = copy.deepcopy(est.params)
        batch = _tpu_batch_size(est, mode)
    except Exception:  # noqa: BLE001 - params that do not copy are only not shown
        return {}
    if batch is not None:
        params["batch_size"] = batch
    return params


def _tpu_batch_size(est, mode: str):
    return estimator_internals.tpu_batch_size(est, MODE_KEYS[mode])


def estimator_model(estimator, input_fn, hooks=(), modes=("train", "eval")) -> ProgramModel:
    """A ProgramModel for graphlint.lint(estimator=..., input_fn=..., hooks=...): `modes` called
    with one input_fn and the same hooks, as a test would call train() and evaluate()."""
    import inspect
    import os

    from graphlint.model.sites import SiteFinder
    from graphlint.program.calls import Call

    source = inspect.getsourcefile(estimator_internals.model_fn_of(estimator) or input_fn) or os.getcwd()
    entries = {"train": "train", "eval": "evaluate", "predict": "predict"}
    chosen = {m: [Call(entries[m], m, estimator, input_fn, tuple(hooks or ()))] for m in modes}
    program = types.SimpleNamespace(name=f"{type(estimator).__name__}", path=source)
    return _program_model(program, str(estimator.model_dir or ""), chosen,
                          SiteFinder(os.path.dirname(os.path.abspath(source))))
