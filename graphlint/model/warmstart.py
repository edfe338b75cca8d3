"""Record what each warm start really loads while model_fn builds a mode.

Every warm start in TF1 code reaches checkpoint_utils._init_from_checkpoint (tf.compat.v1.train.
init_from_checkpoint, and warm_starting_util.warm_start, which Estimator(warm_start_from=...) calls),
and that function hands each variable it resolves to _set_checkpoint_initializer. Wrapping those
two for the duration of the build lets TensorFlow resolve the map by its own rules (scope maps,
partitioned variables, the variable store) and shows which variables it covered: a map that TF
accepts but that covers nothing raises nothing, so it can only be seen here.
"""

from __future__ import annotations

import contextlib

from graphlint.model.snapshot import WarmStart


class _Recorder:
    def __init__(self, sites):
        self.sites = sites
        self.records = []  # [WarmStart], in call order
        self._open = []  # the calls in progress: [(ckpt, map size, raw site, [(variable, ckpt key)])]

    def init_from_checkpoint(self, original):
        def wrapped(ckpt_dir_or_file, assignment_map):
            size = len(assignment_map) if hasattr(assignment_map, "__len__") else 0
            self._open.append((ckpt_dir_or_file, size, self.sites.raw_from_stack(2), []))
            try:
                return original(ckpt_dir_or_file, assignment_map)
            finally:
                self._close()
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
