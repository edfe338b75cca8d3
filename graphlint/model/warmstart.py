"""Record what each warm start really loads while model_fn builds a mode.

Every warm start in TF1 code reaches TF's init_from_checkpoint (tf.compat.v1.train.
init_from_checkpoint, and WarmStartSettings' warm_start, which Estimator(warm_start_from=...)
calls), and that hands each variable it resolves to the function that sets its initializer.
Wrapping those for the duration of the build (graphlint/tfpatch/checkpoint_utils.py and
warm_starting.py) lets TensorFlow resolve the map by its own rules (scope maps, partitioned
variables, the variable store) and shows which variables it covered: a map that TF accepts but
that covers nothing raises nothing, so it can only be seen here.
"""

from __future__ import annotations

import collections.abc
import contextlib
import dataclasses
import os
import sys

from graphlint.model.snapshot import Rejection, WarmStart
from graphlint.model.tfcompat import tf
from graphlint.tfpatch import checkpoint_utils, warm_starting
from graphlint.tfpatch import variables as tf_vars

_GRAPHLINT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_ROOM_DIR = os.path.join(_GRAPHLINT_DIR, "tfpatch") + os.sep
_TF_DIRS = (os.sep + "tensorflow" + os.sep, os.sep + "tensorflow_estimator" + os.sep)


class _Recorder:
    def __init__(self, sites):
        self.sites = sites
        self.records = []  # [WarmStart], in call order
        self._open = []  # the calls in progress: [(ckpt, map size, raw site, [(variable, ckpt key)])]

    def init_from_checkpoint(self, original):
        def wrapped(ckpt_dir_or_file, assignment_map):
            if not isinstance(assignment_map, collections.abc.Mapping):
                assignment_map = list(assignment_map)  # TF iterates it once; so may graphlint, later
            raw = self.sites.raw_from_stack(2) or _caller_outside_tf(sys._getframe(1))
            self._open.append((ckpt_dir_or_file, len(assignment_map), raw, [], _store_names()))
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

    def warm_start(self, original):
        """WarmStartSettings' warm start (Estimator's, or tf.compat.v1.train.warm_start): one record
        for all the init_from_checkpoint calls it makes, with what its settings select. A selection
        that matches no variable makes no call at all, so it could not be seen otherwise."""
        def wrapped(ckpt_to_initialize_from, vars_to_warm_start=".*", var_name_to_vocab_info=None,
                    var_name_to_prev_var_name=None):
            before, raw = len(self.records), self.sites.raw_from_stack(2)
            selected, unused = _selection(ckpt_to_initialize_from, vars_to_warm_start, var_name_to_vocab_info,
                                          var_name_to_prev_var_name)
            try:
                return original(ckpt_to_initialize_from, vars_to_warm_start, var_name_to_vocab_info,
                                var_name_to_prev_var_name)
            finally:
                calls = self.records[before:]
                del self.records[before:]
                self.records.append(WarmStart(
                    str(ckpt_to_initialize_from), 0, tuple(p for r in calls for p in r.loaded),
                    self.sites.from_raw(raw),
                    _source_keys(ckpt_to_initialize_from), from_settings=True,
                    rejected=tuple(x for r in calls for x in r.rejected), selected=selected,
                    selection=repr(vars_to_warm_start), unused=unused))
        return wrapped

    def set_initializer(self, original):
        def wrapped(variable, ckpt_file, tensor_name, *args, **kwargs):
            if self._open:
                self._open[-1][3].append((_variable_name(variable), tensor_name))
            return original(variable, ckpt_file, tensor_name, *args, **kwargs)
        return wrapped

    def _close(self):
        ckpt, size, raw, loaded, store = self._open.pop()
        self.records.append(WarmStart(str(ckpt), size, tuple(loaded), self.sites.from_raw(raw),
                                      _source_keys(ckpt), store=store))


def _store_names() -> tuple:
    """The variables a scope entry of this call would cover: TF resolves 'old/': 'new/' against
    every variable of its variable store under new/ at the moment of the call (a partition as
    its whole variable), and raises for one the checkpoint lacks. A call made after the
    optimizer (BERT's scaffold_fn) also covers its get_variable slots (adam_m, adam_v)."""
    return tf_vars.variable_store_names()


def _caller_outside_tf(frame):
    """(file, line, function) of the code that called init_from_checkpoint, when no frame of the
    stack is in the user's folder (a model_fn imported from elsewhere): the first frame outside
    TensorFlow; None when that is graphlint itself (it runs Estimator's own warm start)."""
    def inside_tf(filename):  # the room's dispatchers (graphlint/tfpatch/) stand in for TF's functions
        return filename == __file__ or filename.startswith(_ROOM_DIR) or any(d in filename for d in _TF_DIRS)

    while frame is not None and inside_tf(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None or frame.f_code.co_filename.startswith(_GRAPHLINT_DIR):
        return None
    return frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name


def _variable_name(variable) -> str:
    """The variable's name as graphlint's snapshots key it; a partition reports its whole variable."""
    name = variable.op.name
    return name.split("/part_")[0] if "/part_" in name else name


def _rejections(original, ckpt, assignment_map) -> tuple:
    """The entries TF rejects, each tried alone with TF's own resolver (it stops at the first, and
    the rest of a map may be wrong too), and why, from the checkpoint's shape map and the graph.
    Trying an entry sets initializers again in a graph whose build is failing; it is dropped.
    () when the checkpoint itself cannot be read: then no key can be said to be missing."""
    try:
        shapes = checkpoint_utils.load_checkpoint(ckpt).get_variable_to_shape_map()
    except (ValueError, OSError):
        return ()
    pairs = assignment_map.items() if isinstance(assignment_map, collections.abc.Mapping) else assignment_map
    rejected = []
    for key, target in sorted(pairs, key=lambda pair: pair[0]):  # TF's own order
        try:
            original(ckpt, [(key, target)])
        except (ValueError, TypeError):
            why = _why(key, target, shapes)
            misses = _scope_misses(original, ckpt, key, target, shapes) if why.why == "missing" else ()
            rejected.extend(misses or (why,))
    return tuple(rejected)


class _EveryKey(dict):
    """A checkpoint's shape map that claims every key, so that TF resolves a whole scope entry
    instead of stopping at its first missing key."""

    def __contains__(self, key):
        return True


def _scope_misses(original, ckpt, key, target, shapes) -> tuple:
    """A rejected scope entry ('old/': 'new/'): one Rejection per variable TF maps under it to a
    key the checkpoint lacks, from TF's own resolution of the entry, run against a checkpoint
    that has every key and with the initializers it would set only noted, not created."""
    if not (isinstance(key, str) and key.endswith("/") and isinstance(target, str)):
        return ()
    asked = []
    try:
        with checkpoint_utils.resolving_only(_EveryKey(shapes), lambda var, name: asked.append(
                (_variable_name(var), name))):
            original(ckpt, [(key, target)])
    except (ValueError, TypeError):
        return ()
    missing = sorted({(variable, name) for variable, name in asked if name not in shapes})
    return tuple(Rejection(name, variable, "missing", scope=(key, target)) for variable, name in missing)


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
    if tf_vars.is_variable(target):
        return target, [], _variable_name(target)
    if isinstance(target, (list, tuple)):
        return None, list(target), _variable_name(target[0]) if target else ""
    v1 = tf().compat.v1
    graph_vars = {v.op.name: v for v in v1.global_variables() + v1.local_variables()}
    parts = [v for n, v in sorted(graph_vars.items()) if n.startswith(f"{target}/part_")]
    return graph_vars.get(target), parts, str(target)


def _selection(ckpt, vars_to_warm_start, vocab_info, prev_names) -> tuple:
    """(((variable, checkpoint key, full shape), ...), names of the prev-name / vocab maps that
    select no variable): the variables warm_start will warm-start, chosen by TF's own selection
    (_get_grouped_variables, its object-checkpoint renames) and its rules for the two maps."""
    try:
        grouped = warm_starting.grouped_variables(vars_to_warm_start)
    except (ValueError, TypeError):  # a selection TF rejects: warm_start raises it itself
        return (), ()
    vocab_info, given = dict(vocab_info or {}), dict(prev_names or {})
    renames = given
    if not renames:
        try:
            renames = warm_starting.object_checkpoint_renames(ckpt, grouped.keys())
        except (ValueError, OSError, tf().errors.OpError):  # warm_start raises it itself
            renames = {}
    # vars_to_warm_start=None warm-starts only the variables var_name_to_vocab_info names
    chosen = sorted(n for n in grouped if vars_to_warm_start or vocab_info.get(n))
    selected = tuple((n, renames.get(n) or n, _full_shape(grouped[n])) for n in chosen)
    return selected, tuple(sorted((set(given) | set(vocab_info)) - set(grouped)))


def _full_shape(parts):
    """The whole variable's shape, from one variable or the partitions of one."""
    first = parts[0]
    info = tf_vars.save_slice_info(first)
    if info is not None:
        return tuple(info.full_shape)
    return _dims(first.shape)


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
    recorder = _Recorder(sites)
    with checkpoint_utils.wrapped(recorder.init_from_checkpoint, recorder.set_initializer), \
            warm_starting.wrapped(recorder.warm_start):
        yield recorder.records


def estimator_warm_start(path, records) -> None:
    """What Estimator(warm_start_from=PATH) does after model_fn in TRAIN: WarmStartSettings(PATH),
    which warm-starts every trainable variable from the key of its own name (recorded by the
    wrapped warm_start). TF raises when a key is missing; graphlint asked for this warm start, not
    the model, so the failure is recorded on the WarmStart instead of failing the build."""
    try:
        warm_starting.warm_start(path, vars_to_warm_start=".*")
    except (ValueError, TypeError) as exc:  # a missing key or shape: TF's message embeds the whole key map
        records[-1] = dataclasses.replace(records[-1], site=None, error=type(exc).__name__)
    else:
        records[-1] = dataclasses.replace(records[-1], site=None)
