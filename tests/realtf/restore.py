"""Restore one mode of a model file from a given checkpoint for real, the way Estimator does.

restore_for_real(): build the mode's graph as Estimator does (realtf._build: fresh graph, global
step, input_fn on the CPU, model_fn), then
  1. create the session exactly as Estimator does (Scaffold.finalize, then ChiefSessionCreator ->
     SessionManager.prepare_session: restore with the scaffold's or the default sharded Saver,
     local init, ready check);
  2. read every restored variable once: its shape now, and whether it holds the checkpoint's value;
  3. run the mode's first step (TRAIN: train_op; EVAL: loss and metric updates; PREDICT: the
     predictions), where a silently mis-shaped variable shows up, if anywhere;
  4. when TF stopped before those reads (restore or ready check failed), read every key the Saver
     wants on its own with TF's restore op (RestoreV2), so TF itself says which keys are missing,
     which have another dtype, which have another shape (a failing restore names only the first
     bad key).
Real records where TF stopped ("build", "restore", "ready", "use" or "ok"), the class of TF's
exception and the line of it that says why.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import numpy as np

from graphlint.model.tfcompat import estimator_api, tf

from . import _build, _import_model

MODES = ("train", "eval", "predict")


# --- the reader, restored for real ----------------------------------------------------------

@dataclass
class Real:
    stage: str = "ok"  # where TF stopped: build | restore | ready | use | ok
    error: str = ""  # `Type: the line of TF's exception that says why`, for failure messages
    error_type: str = ""  # the class of TF's exception (what tests assert)
    missing: set = field(default_factory=set)  # keys TF's restore op could not find
    dtype: set = field(default_factory=set)  # keys TF refused for their dtype
    shape: set = field(default_factory=set)  # keys whose restore failed on shape, or whose value
    #                                         has another shape than the variable declares
    #                                         (from the reads after a restore that worked, else
    #                                         from RestoreV2 of each key on its own)
    restored_shapes: dict = field(default_factory=dict)  # key -> (declared, value after restore), if different
    wrong_values: set = field(default_factory=set)  # restored, but not the checkpoint's values
    outputs: dict = field(default_factory=dict)  # fetch name -> (static shape, shape TF returned)
    warm_started: dict = field(default_factory=dict)  # variable -> value after init == checkpoint's


_DTYPE = re.compile(r"tensor_name = (\S+); expected dtype")
_WHY = re.compile(r"not found in checkpoint|expected dtype|requires shapes|Existing variables not in|"
                  r"is finalized|did not make model ready|not ready|must be broadcastable|Incompatible shapes|"
                  r"is not found in|doesn't match|shape|Matrix size")


def tf_message(exc) -> str:
    """`Type: the line that says why`, out of TF's long multi-line messages."""
    text = getattr(exc, "message", None) or str(exc)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    why = [ln for ln in lines if _WHY.search(ln) and "most likely due to" not in ln
           and not ln.startswith("File ")]
    return f"{type(exc).__name__}: {(why or lines or [''])[0]}"


def _parts(obj):
    """The variables behind one var_list entry (a variable, a partitioned one, or a list of parts)."""
    if isinstance(obj, (list, tuple)) or hasattr(obj, "_get_variable_list"):  # PartitionedVariable
        return list(obj)
    return [obj]


def _read(part):
    # op_list_to_dict gives a resource variable as its graph element: a read tensor already.
    return part if isinstance(part, tf().Tensor) else part.value()


class _Probe:
    """One checkpoint key the mode's Saver restores, read on its own with TF's restore op.

    Built from TF's own saveable conversion of the Saver's var_list (what Saver.build does):
    `op` is a RestoreV2 of just this key (and slice), `shape` the static shape the variable
    (or partition) declares, None for lookup tables, whose size is their content's.
    """

    def __init__(self, spec, prefix, object_keys):
        t = tf()
        self.key = spec.name
        self.op = t.raw_ops.RestoreV2(prefix=prefix, tensor_names=[object_keys.get(spec.name, spec.name)],
                                      shape_and_slices=[spec.slice_spec], dtypes=[spec.dtype])[0]
        tensor = spec.tensor if isinstance(spec.tensor, t.Tensor) else None
        self.shape = tuple(tensor.shape.as_list()) if tensor is not None and tensor.shape.is_fully_defined() \
            else None


def _probes(var_list, prefix, object_keys):
    from tensorflow.python.training.saving import saveable_object_util as su

    return [_Probe(spec, prefix, object_keys)
            for saveable in su.validate_and_slice_inputs(var_list) for spec in saveable.specs]


def _object_keys(prefix):
    """{name -> key} of an object-based checkpoint, as the Saver's fallback maps them; else {}."""
    if not tf().train.load_checkpoint(prefix).has_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"):
        return {}
    from tensorflow.python.training.saver import object_graph_key_mapping

    return object_graph_key_mapping(prefix)


def _mode_saver(spec):
    """The Saver Estimator restores with: the scaffold's, else the SAVERS collection's, else a new
    sharded default Saver put in that collection (exactly what Scaffold.finalize will pick)."""
    from tensorflow.python.training import saver as saver_lib

    saver = spec.scaffold.saver or saver_lib._get_saver_or_default()  # noqa: SLF001 - TF's own choice
    saver.build()
    return saver


def restore_for_real(model_path: str, params: dict, mode: str, prefix: str) -> Real:
    """Build `mode` ("train", "eval" or "predict") of the model file with `params` merged over its
    own, and restore it from the checkpoint `prefix` as Estimator does."""
    from tensorflow.python.training.saving import saveable_object_util as su

    t = tf()
    real = Real()
    object_keys = _object_keys(prefix)
    with estimator_api() as est, t.Graph().as_default():
        key = {"train": est.ModeKeys.TRAIN, "eval": est.ModeKeys.EVAL, "predict": est.ModeKeys.PREDICT}[mode]
        try:
            spec, input_hooks = _build(_import_model(model_path), key, os.path.dirname(prefix), params)
        except Exception as exc:  # noqa: BLE001 - what TF raised is the point
            _stop(real, "build", exc)
            return real
        for hook in input_hooks:
            hook.begin()
        saver = _mode_saver(spec)
        var_list = saver._var_list if isinstance(saver._var_list, dict) else su.op_list_to_dict(saver._var_list)
        probes = _probes(var_list, prefix, object_keys)
        # Variables are read as variables; a lookup table's saveable (it has specs) by exporting it.
        reads = {name: obj.op.export() if hasattr(obj, "specs") else [_read(p) for p in _parts(obj)]
                 for name, obj in var_list.items()}
        warm = _warm_start_checks(params)
        fetches = _first_step(spec, mode)
        _restore_as_estimator_does(real, spec, input_hooks, prefix, reads, fetches, object_keys)
        if real.stage in ("ok", "use"):
            # It restored and every variable was read: nothing is missing or refused, and the
            # reads saw every shape.
            real.shape = set(real.restored_shapes)
        else:
            _probe(real, probes)
        if warm is not None:
            _check_warm_start(real, warm, prefix)
    return real


def _warm_start_checks(params):
    """For a warm start: (initializer, [(variable, checkpoint key)]) to compare after init."""
    ws = (params or {}).get("warm_start")
    if not ws:
        return None
    pairs = []
    for v in tf().compat.v1.global_variables():
        for old, new in ws["map"].items():
            if new.endswith("/") and v.op.name.startswith(new) and "/part_" not in v.op.name:
                pairs.append((v, old + v.op.name[len(new):]))
    return tf().compat.v1.global_variables_initializer(), pairs


def _first_step(spec, mode):
    t = tf()
    if mode == "train":
        return {"train_op": spec.train_op, "loss": spec.loss}
    if mode == "eval":
        return {"loss": spec.loss, "updates": t.group(*(u for _, u in spec.eval_metric_ops.values()))}
    return dict(spec.predictions)


def _probe(real, probes):
    """Each key on its own: TF says which are missing, which have another dtype, and returns
    the checkpoint's tensor, whose shape we compare with what the variable declares."""
    t = tf()
    with t.compat.v1.Session() as sess:
        try:  # all at once when every key reads (most scenarios); else one by one
            values = sess.run([p.op for p in probes])
        except t.errors.OpError:
            values = None
        for i, probe in enumerate(probes):
            try:
                value = values[i] if values is not None else sess.run(probe.op)
            except t.errors.NotFoundError:
                real.missing.add(probe.key)
            except t.errors.InvalidArgumentError as exc:
                if _DTYPE.search(str(exc)):
                    real.dtype.add(probe.key)
                elif "shape" in str(exc).lower():  # a partition's slice of a tensor with another full shape
                    real.shape.add(probe.key)
                else:
                    raise
            else:
                if probe.shape is not None and tuple(value.shape) != probe.shape:
                    real.shape.add(probe.key)


def _check_warm_start(real, warm, prefix):
    """Run the initializers (a session that restores nothing) and compare with the checkpoint."""
    t = tf()
    init, pairs = warm
    reader = t.train.load_checkpoint(prefix)
    with t.compat.v1.Session() as sess:
        sess.run(init)
        for v, key in pairs:
            real.warm_started[v.op.name] = bool(np.array_equal(sess.run(v), reader.get_tensor(key)))


def _stop(real, stage, exc):
    real.stage, real.error, real.error_type = stage, tf_message(exc), type(exc).__name__


def _restore_as_estimator_does(real, spec, input_hooks, prefix, reads, fetches, object_keys):
    t = tf()
    creator = t.compat.v1.train.ChiefSessionCreator(scaffold=spec.scaffold, checkpoint_filename_with_path=prefix)
    try:
        sess = creator.create_session()  # Scaffold.finalize(), then restore + local init + ready check
    except RuntimeError as exc:
        # SessionManager raises RuntimeError for a failed ready check, and the Saver for a graph
        # it may not modify; only TF's text tells them apart.
        _stop(real, "ready" if "ready" in str(exc) else "restore", exc)
        return
    except t.errors.OpError as exc:
        _stop(real, "restore", exc)
        return
    with sess:
        for hook in input_hooks:  # what MonitoredSession does next: initialize the input iterator
            hook.after_create_session(sess, None)
        _check_restored(real, sess, reads, prefix, object_keys)
        try:
            got = sess.run(fetches)
        except t.errors.OpError as exc:
            _stop(real, "use", exc)
            return
    for name, value in got.items():
        if hasattr(value, "shape") and hasattr(fetches[name], "shape"):
            real.outputs[name] = (tuple(fetches[name].shape.as_list()), tuple(value.shape))


def _check_restored(real, sess, reads, prefix, object_keys):
    """Read every restored variable once: its shape now, and whether it holds the checkpoint's value."""
    reader = tf().train.load_checkpoint(prefix)
    got = sess.run(reads)
    for name, tensors in sorted(reads.items()):
        values = got[name]
        if isinstance(tensors, tuple):  # a table: its (keys, values) against the checkpoint's
            specs = [f"{name}-keys", f"{name}-values"]
            want = sorted(zip(*(reader.get_tensor(object_keys.get(k, k)).tolist() for k in specs)))
            if sorted(zip(values[0].tolist(), values[1].tolist())) != want:
                real.wrong_values.add(name)
            continue
        declared = [tuple(x.shape.as_list()) for x in tensors]
        restored = [tuple(v.shape) for v in values]
        if declared != restored:
            one = len(declared) == 1
            real.restored_shapes[name] = (declared[0], restored[0]) if one else (declared, restored)
            continue
        value = values[0] if len(values) == 1 else np.concatenate(values, axis=0)
        if not np.array_equal(value, reader.get_tensor(object_keys.get(name, name))):
            real.wrong_values.add(name)
