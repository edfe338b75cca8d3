"""Run model_fn for one mode in a fresh tf.Graph, the way Estimator does, and record a Snapshot."""

from __future__ import annotations

import copy
import inspect
import sys

from graphlint.errors import UsageError, first_line
from graphlint.model import hooks, outputs, warmstart
from graphlint.model.graphview import uninitialized_after_restore
from graphlint.model.links import Links
from graphlint.model.roles import CREATORS, op_roles
from graphlint.model.snapshot import BuildFailure, RestoreKey, ScopeRename, Snapshot, Variable
from graphlint.model.tpu_spec import converted_from, to_estimator_spec
from graphlint.model.tfcompat import is_estimator_spec, missing_tf_keras, tf
from graphlint.tfpatch.checkpoint_utils import raised_in_warm_start
from graphlint.tfpatch import variables as tf_vars
from graphlint.tfpatch.graph import recording_graph

def _recording_graph(sites):
    """A tf.Graph (tfpatch/graph.py) that notes where each op is created, and every time TF
    uniquifies a requested name scope (a re-entered scope: GL6xx's renames)."""
    created, first_scope, renames = {}, {}, []

    def op_created(op, frame):
        created[op.name] = sites.creation(frame, CREATORS)

    def scope_entered(full, got):
        site = sites.raw_from_stack(3)  # a Site only for the few that become renames
        if got == full:
            first_scope.setdefault(full.lower(), site)
        else:
            renames.append((full, got, site, first_scope.get(full.lower())))

    graph = recording_graph(op_created, scope_entered)
    graph.gl_sites, graph.gl_renames, graph.gl_created = sites, renames, created  # op name -> SiteFinder.creation()
    return graph


def _renames(graph) -> list:
    sites = graph.gl_sites
    return [ScopeRename(full, got, sites.from_raw(site), sites.from_raw(first))
            for full, got, site, first in graph.gl_renames]


def _kwargs_for(fn_args, available: dict) -> dict:
    return {k: v for k, v in available.items() if k in fn_args}


def _fn_args(fn) -> tuple:
    try:
        return tuple(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return ()


def _run_config():
    from graphlint.model.estimator_standin import RunConfig
    from graphlint.model.tfcompat import real_estimator

    est = real_estimator()
    return est.RunConfig() if est is not None else RunConfig()


def _input_tensors(model, mode: str, mode_key: str, params: dict):
    """Call input_fn as Estimator does and turn its result into (features, labels) tensors."""
    t = tf()
    fn = model.input_fns[mode]
    name = getattr(fn, "__name__", "input_fn")
    kwargs = _kwargs_for(_fn_args(fn), {"params": params, "mode": mode_key, "config": _run_config()})
    try:
        with t.device("/cpu:0"):
            result = fn(**kwargs)
            if isinstance(result, t.data.Dataset):
                result = t.compat.v1.data.make_initializable_iterator(result).get_next()
    except Exception as exc:
        site = model.sites.from_traceback(exc.__traceback__)
        where = f"{site}: " if site else ""
        raise UsageError(f"{where}{name} raised while building {mode}: {type(exc).__name__}: {first_line(exc)}") from None
    if isinstance(result, (tuple, list)):
        if len(result) == 2:
            return result[0], (None if mode == "predict" else result[1])
        if len(result) == 1:
            return result[0], None
    if isinstance(result, (dict, t.Tensor, t.SparseTensor)):
        return result, None
    raise UsageError(f"{name} returned {type(result).__name__}; expected a tf.data.Dataset, "
                     "a (features, labels) tuple, or features")


def call_model_fn(model, features, labels, mode_key, params):
    available = {"features": features, "mode": mode_key, "params": params, "config": _run_config()}
    if "labels" in model.model_fn_args:
        available["labels"] = labels
    elif labels is not None:
        raise UsageError(f"{model.target}: model_fn does not take labels, but input_fn returns labels")
    return model.model_fn(**_kwargs_for(model.model_fn_args, available))


def build_mode(model, mode: str, params: dict, est, warm_start=None) -> tuple:
    """Build one mode; returns (Snapshot, live graph or None). Raises UsageError on bad input.
    warm_start: a checkpoint that TRAIN warm-starts from as Estimator(warm_start_from=...) would."""
    t = tf()
    mode_key = {"train": est.ModeKeys.TRAIN, "eval": est.ModeKeys.EVAL, "predict": est.ModeKeys.PREDICT}[mode]
    graph = _recording_graph(model.sites)
    snap = Snapshot(mode, params=copy.deepcopy(params))
    with graph.as_default(), model.sites.marked(sys._getframe()), hooks.watching(model.sites) as watch, \
            warmstart.recording(model.sites) as snap.warm_starts:
        t.compat.v1.train.get_or_create_global_step()  # Estimator creates it before input_fn
        features, labels = _input_tensors(model, mode, mode_key, params)
        try:
            spec = call_model_fn(model, features, labels, mode_key, params)
            snap.converted_from = converted_from(spec)
            spec = to_estimator_spec(spec)  # a TPUEstimatorSpec's scaffold_fn and host calls run here
        except UsageError:
            raise
        except Exception as exc:
            needs_keras2 = missing_tf_keras(exc)
            if needs_keras2:  # the environment, not the model: no mode can be built
                site = model.sites.from_traceback(exc.__traceback__)
                raise UsageError(f"{site or model.target}: {needs_keras2}") from None
            snap.failure = BuildFailure(type(exc).__name__, first_line(exc),
                                        model.sites.from_traceback(exc.__traceback__), raised_in_warm_start(exc))
            snap.renames = _renames(graph)
            return snap, graph
        if not is_estimator_spec(spec):
            raise UsageError(f"{model.target}: model_fn returned {type(spec).__name__} in {mode}, "
                             "not a tf.estimator.EstimatorSpec")
        # What the user's Saver restores is decided before the session's Scaffold adds a Saver of its own.
        snap.variables = _variables(graph)
        snap.restore_keys = restore_keys(graph, spec)
        snap.unrestored = _unrestored(graph, spec, snap.restore_keys)
        snap.uninitialized = uninitialized_after_restore(graph, spec.scaffold, snap.unrestored)
        snap.fetches, snap.hook_errors, snap.estimator_ops, snap.late_ops = hooks.simulate(graph, spec, mode, watch)
        snap.loss = spec.loss.name if spec.loss is not None else ""
        snap.train_op = spec.train_op.name if spec.train_op is not None else ""
        snap.results = outputs.result_names(spec, mode)
        links = Links(graph)
        snap.ops = dict(links.types)
        snap.renames = _renames(graph)
        snap.label_ops = _label_ops(links, labels)
        snap.roles = op_roles(graph, spec, {f.name.split(":")[0] for f in snap.fetches if f.resolved},
                              predict=mode == "predict", links=links)
        snap.update_ops = _update_ops(graph)
        if warm_start and mode == "train":  # after model_fn, as Estimator does; its ops are not model ops
            warmstart.estimator_warm_start(warm_start, snap.warm_starts)
    return snap, graph


def _update_ops(graph) -> tuple:
    """Names of the ops in UPDATE_OPS, which holds ops or tensors (assign_moving_average returns one)."""
    items = graph.get_collection(tf().compat.v1.GraphKeys.UPDATE_OPS)
    return tuple(sorted({getattr(x, "op", x).name for x in items if hasattr(x, "name")}))


def _label_ops(links, labels) -> frozenset:
    """Ops that exist for the labels: they consume them, or feed only ops that do.

    These are absent from PREDICT by design (no labels), so the mode diff calls them expected.
    Ops are visited in reverse creation order, so consumers are decided before their inputs.
    """
    if labels is None:
        return frozenset()
    stack = [op.name for x in tf().nest.flatten(labels) if hasattr(x, "consumers") for op in x.consumers()]
    seen = set()
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(links.users(name))
    for name in reversed(links.types):
        if name in seen:
            continue
        users = (*links.users(name), *links.control_users(name))
        if users and all(u in seen for u in users):
            seen.add(name)
    return frozenset(seen)


def _variables(graph) -> dict:
    t = tf()
    keys = t.compat.v1.GraphKeys
    trainable = {id(v) for v in graph.get_collection(keys.TRAINABLE_VARIABLES)}
    metric = {id(v) for v in graph.get_collection(keys.METRIC_VARIABLES)}
    out = {}
    for kind, coll in (("local", keys.LOCAL_VARIABLES), ("global", keys.GLOBAL_VARIABLES)):
        for v in graph.get_collection(coll):
            name = v.op.name
            shape = tuple(v.shape.as_list()) if v.shape.rank is not None else None
            out[name] = Variable(name, shape, v.dtype.base_dtype.name, id(v) in trainable,
                                 saved=kind == "global", kind="metric" if id(v) in metric else kind,
                                 whole=_whole(v))
    return out


def _whole(variable):
    """(full name, full shape) of the partitioned variable `variable` is a partition of, else None."""
    info = tf_vars.save_slice_info(variable)
    return (info.full_name, tuple(info.full_shape)) if info is not None else None


def _saver_var_list(graph, spec):
    """The var_list of the Saver Estimator would use: the scaffold's, else the SAVERS collection's."""
    saver = getattr(spec.scaffold, "saver", None)
    if saver is None:
        savers = graph.get_collection(tf().compat.v1.GraphKeys.SAVERS)
        saver = savers[0] if len(savers) == 1 else None
    return tf_vars.saver_var_list(saver)


def restore_keys(graph, spec) -> dict:
    """Checkpoint keys the mode's Saver restores, from TF's own saveable-object conversion."""
    keys = {}
    for saveable in tf_vars.saveables(_saver_var_list(graph, spec)):
        var_name = _saveable_var_name(saveable)
        for spec_ in saveable.specs:
            keys[spec_.name] = RestoreKey(spec_.name, spec_.dtype.base_dtype.name, _spec_shape(saveable, spec_),
                                          var_name, spec_.slice_spec)
    return keys


def _unrestored(graph, spec, restore_keys) -> tuple:
    """Global variables a custom Saver (scaffold or SAVERS collection) does not restore."""
    if _saver_var_list(graph, spec) is None:
        return ()
    restored = {rk.var_name for rk in restore_keys.values()}
    names = {v.op.name for v in graph.get_collection(tf().compat.v1.GraphKeys.GLOBAL_VARIABLES)}
    return tuple(sorted(names - restored))


def _saveable_var_name(saveable) -> str:
    handle = getattr(saveable, "handle_op", None)  # resource variables: the VarHandleOp
    if handle is not None and hasattr(handle, "op"):
        return handle.op.name
    op = getattr(saveable, "op", None)
    inner = getattr(op, "op", None)
    return getattr(inner, "name", None) or saveable.name


def _spec_shape(saveable, spec):
    if spec.slice_spec:  # "full shape... offsets:lengths" -> the full variable's shape
        return tuple(int(d) for d in spec.slice_spec.split()[:-1])
    shape = tf_vars.saveable_var_shape(saveable) or getattr(getattr(saveable, "op", None), "shape", None)
    if shape is None or getattr(shape, "rank", None) is None:
        return None
    return tuple(shape.as_list())


def predict_features(model, params: dict, est):
    """The features input_fn gives in PREDICT, as Estimator calls it (labels dropped): tensors (or
    arrays, as the function returned them) of the current graph."""
    features, _ = _input_tensors(model, "predict", est.ModeKeys.PREDICT, params)
    return features
