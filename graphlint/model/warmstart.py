"""Record what each warm start really loads while model_fn builds a mode.

Every warm start in TF1 code reaches checkpoint_utils._init_from_checkpoint (tf.compat.v1.train.
init_from_checkpoint, and warm_starting_util.warm_start, which Estimator(warm_start_from=...) calls),
and that function hands each variable it resolves to _set_checkpoint_initializer. Wrapping those
two for the duration of the build lets TensorFlow resolve the map by its own rules (scope maps,
partitioned variables, the variable store) and shows which variables it covered: a map that TF
accepts but that covers nothing raises nothing, so it can only be seen here.
"""

from __future__ import annotations

import collections.abc
import contextlib
import dataclasses

from graphlint.model.snapshot import Rejection, WarmStart


class _Recorder:
    def __init__(self, sites):
        self.sites = sites
        self.records = []  # [WarmStart], in call order
        self._open = []  # the calls in progress: [(ckpt, map size, raw site, [(variable, ckpt key)])]

    def init_from_checkpoint(self, original):
        def wrapped(ckpt_dir_or_file, assignment_map):
            if not isinstance(assignment_map, collections.abc.Mapping):
                assignment_map = list(assignment_map)  # TF iterates it once; so may graphlint, later
            self._open.append((ckpt_dir_or_file, len(assignment_map), self.sites.raw_from_stack(2), []))
            failed = True
            try:
                result = original(ckpt_dir_or_file, assignment_map)
                failed = False
                return result
            finally:
                self._close()
                if failed:
                    self.records[-1] = dataclasses.replace(
                        self.records[-1], rejected=_rejections(original, ckpt_dir_or_file, assignment_map))
        return wrapped

    def set_initializer(self, original):
        def wrapped(variable, ckpt_file, tensor_name, *args, **kwargs):
            if self._open:
                self._open[-1][3].append((_variable_name(variable), tensor_name))
            return original(variable, ckpt_file, tensor_name, *args, **kwargs)
        return wrapped

    def _close(self):
        ckpt, size, raw, loaded = self._open.pop()
        self.records.append(WarmStart(str(ckpt), size, tuple(loaded), self.sites.from_raw(raw),
                                      _source_keys(ckpt)))


def _variable_name(variable) -> str:
    """The variable's name as graphlint's snapshots key it; a partition reports its whole variable."""
    name = variable.op.name
    return name.split("/part_")[0] if "/part_" in name else name


def _rejections(original, ckpt, assignment_map) -> tuple:
    """The entries TF rejects, each tried alone with TF's own resolver (it stops at the first, and
    the rest of a map may be wrong too), and why, from the checkpoint's shape map and the graph.
    Trying an entry sets initializers again in a graph whose build is failing; it is dropped.
    () when the checkpoint itself cannot be read: then no key can be said to be missing."""
    from tensorflow.python.training import checkpoint_utils as cu

    try:
        shapes = cu.load_checkpoint(ckpt).get_variable_to_shape_map()
    except (ValueError, OSError):
        return ()
    pairs = assignment_map.items() if isinstance(assignment_map, collections.abc.Mapping) else assignment_map
    rejected = []
    for key, target in sorted(pairs, key=lambda pair: pair[0]):  # TF's own order
        try:
            original(ckpt, [(key, target)])
        except (ValueError, TypeError):
            rejected.append(_why(key, target, shapes))
    return tuple(rejected)


def _why(key, target, shapes) -> Rejection:
    """Why TF rejects the entry key -> target: a 1:1 entry onto one variable fails on a missing
    key or an incompatible shape; onto a partitioned variable, on a missing key only; a scope
    entry ('old/': 'new/'), on a key missing under the scope; anything else is a malformed map."""
    variable, parts, name = _resolve(target)
    if variable is not None and key in shapes and not variable.shape.is_compatible_with(shapes[key]):
        return Rejection(key, name, "shape", _dims(variable.shape), tuple(shapes[key]))
    if (variable is not None or parts) and key not in shapes:
        return Rejection(key, name, "missing")
    if variable is None and not parts and key.endswith("/"):
        return Rejection(key, name, "missing")
    return Rejection(key, name, "map")


def _resolve(target) -> tuple:
    """(the one variable, the partitions, the name) an entry's graph side names, as TF looks it up:
    a variable object, a list of partitions, or a name in the graph's variables."""
    from tensorflow.python.ops import resource_variable_ops, variables

    def is_variable(x):
        return isinstance(x, variables.Variable) or resource_variable_ops.is_resource_variable(x)

    if is_variable(target):
        return target, [], _variable_name(target)
    if isinstance(target, (list, tuple)):
        return None, list(target), _variable_name(target[0]) if target else ""
    graph_vars = {v.op.name: v for v in variables.global_variables() + variables.local_variables()}
    parts = [v for n, v in sorted(graph_vars.items()) if n.startswith(f"{target}/part_")]
    return graph_vars.get(target), parts, str(target)


def _dims(shape) -> tuple:
    return tuple(shape.as_list()) if shape.rank is not None else None


def _source_keys(ckpt) -> dict:
    """{key: (shape, dtype)} of the model's own variables in the warm-start source (not optimizer
    slots, the global step or EMA shadows), for rename pairing; {} if it cannot be read."""
    from graphlint.checkpoint import reader
    from graphlint.errors import UsageError

    try:
        entries = reader.read(ckpt).entries
    except (UsageError, OSError, ValueError):
        return {}
    return {k: (tuple(e.shape), e.dtype) for k, e in entries.items() if e.cls == "other"}


@contextlib.contextmanager
def recording(sites):
    """While a mode is built: yields the list that collects one WarmStart per warm-start call."""
    from tensorflow.python.training import checkpoint_utils as cu

    recorder = _Recorder(sites)
    saved = cu._init_from_checkpoint, cu._set_checkpoint_initializer
    cu._init_from_checkpoint = recorder.init_from_checkpoint(saved[0])
    cu._set_checkpoint_initializer = recorder.set_initializer(saved[1])
    try:
        yield recorder.records
    finally:
        cu._init_from_checkpoint, cu._set_checkpoint_initializer = saved


def estimator_warm_start(path, records) -> None:
    """What Estimator(warm_start_from=PATH) does after model_fn in TRAIN: WarmStartSettings(PATH),
    which warm-starts every trainable variable from the key of its own name. TF raises when a
    key is missing; graphlint asked for this warm start, not the model, so the failure is
    recorded on the WarmStart instead of failing the build."""
    from tensorflow.python.training import warm_starting_util

    before = len(records)
    error = ""
    try:
        warm_starting_util.warm_start(path, vars_to_warm_start=".*")
    except (ValueError, TypeError) as exc:  # a missing key or shape: TF's message embeds the whole key map
        error = type(exc).__name__
    loaded = tuple(pair for r in records[before:] for pair in r.loaded)
    del records[before:]
    records.append(WarmStart(str(path), 0, loaded, None, _source_keys(path), from_settings=True, error=error))
