"""Find a TensorFlow checkpoint and list its keys (names, shapes, dtypes; never the values).

Only V2 checkpoints (`PREFIX.index` + `PREFIX.data-NNNNN-of-NNNNN`, TensorFlow's format since
1.0) are accepted. Every file-system access goes through tf.io.gfile, so gs://, s3://, hdfs://
paths work wherever the user's TensorFlow has those file systems. Nothing is ever written.
Bad input raises UsageError with a one-line message, never a TensorFlow traceback.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from dataclasses import dataclass

from graphlint.errors import UsageError
from graphlint.model.tfcompat import tf

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
CLASSES = ("optimizer", "global_step", "ema", "object-graph", "other")

_PIECE_RE = re.compile(r"\.(index|meta|data-\d{5}-of-\d{5})$")
_SHARD_RE = re.compile(r"\.data-(\d{5})-of-(\d{5})$")
# TF1 optimizers name slots `<var>/<optimizer name>[_N]`; adam_m/adam_v are BERT's AdamWeightDecay.
_SLOT_RE = re.compile(
    r"/(Adam|Momentum|Adagrad|AdagradDA|ProximalAdagrad|RMSProp|Ftrl|Adadelta|Nadam|LazyAdam"
    r"|adam_m|adam_v)(_\d+)?$"
)
_OPTIMIZER_RE = re.compile(r"(^|/)(beta1_power|beta2_power)$|(^|/)optimizer(/|$)|/\.OPTIMIZER_SLOT/")
_EMA_RE = re.compile(r"ExponentialMovingAverage(_\d+)?")


@dataclass(frozen=True)
class CkptEntry:
    key: str
    shape: tuple
    dtype: str
    size: int  # number of elements (1 for a scalar)
    cls: str


@dataclass
class Checkpoint:
    prefix: str
    entries: dict[str, CkptEntry]  # in key order
    object_based: bool  # written by tf.train.Checkpoint (TF2), not by a name-based Saver


def classify(key: str) -> str:
    """What a checkpoint key holds: one of CLASSES.

    - "object-graph": bookkeeping rather than model state: `_CHECKPOINTABLE_OBJECT_GRAPH`,
      tf.train.Checkpoint's own `save_counter`, and object attributes other than a variable's
      value (`.ATTRIBUTES/<NAME>` with NAME != VARIABLE_VALUE: iterator state, py_state, ...).
    - "optimizer": TF1 slots `<var>/Adam`, `<var>/Adam_1`, `/Momentum`, `/Adagrad`, `/RMSProp`,
      `/Ftrl`, `/Adadelta`, ... (default optimizer names only), `beta1_power`/`beta2_power`,
      object-based `.OPTIMIZER_SLOT` keys and anything under a path component `optimizer`.
    - "global_step": a variable whose last name component is `global_step`.
    - "ema": `<var>/ExponentialMovingAverage` shadows (the default EMA name only; object-based
      EMA shadows carry whatever attribute name the user chose and stay "other").
    - "other": everything else, i.e. the model's own variables.
    """
    path, _, attribute = key.partition("/.ATTRIBUTES/")
    if key == OBJECT_GRAPH_KEY or path == "save_counter" or attribute not in ("", "VARIABLE_VALUE"):
        return "object-graph"
    if _OPTIMIZER_RE.search(path) or _SLOT_RE.search(path):
        return "optimizer"
    last = path.rsplit("/", 1)[-1]
    if last == "global_step":
        return "global_step"
    if _EMA_RE.fullmatch(last):
        return "ema"
    return "other"


def resolve(path: str) -> str:
    """The checkpoint prefix for a model directory, a prefix, or one of a checkpoint's files."""
    path = os.fspath(path)
    gfile = tf().io.gfile
    with _tf_errors(path):
        if gfile.isdir(path):
            return _latest_in(path)
        prefix = _PIECE_RE.sub("", path)
        if gfile.exists(prefix + ".index"):
            return prefix
        if gfile.exists(path):
            raise _not_a_checkpoint(path, prefix)
    raise _missing(path)


def read(path: str) -> Checkpoint:
    """List the checkpoint at `path` (see resolve) with TensorFlow's own reader."""
    prefix = resolve(path)
    reader = open_reader(prefix)
    _check_data_shards(prefix)
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    entries = {k: _entry(k, shapes[k], dtypes[k]) for k in sorted(shapes)}
    return Checkpoint(prefix, entries, OBJECT_GRAPH_KEY in shapes)


def _entry(key, shape, dtype) -> CkptEntry:
    shape = tuple(int(d) for d in shape)
    return CkptEntry(key, shape, dtype.name, math.prod(shape), classify(key))


def _latest_in(directory: str) -> str:
    # listdir, not exists(): in an unreadable directory exists() just says False.
    names = set(tf().io.gfile.listdir(directory))
    if "checkpoint" in names:  # a model dir that also holds an export is still a model dir
        return _from_state_file(directory)
    if names & {"saved_model.pb", "saved_model.pbtxt"}:
        variables = os.path.join(directory, "variables", "variables")
        raise UsageError(f"{directory} is a SavedModel, not a checkpoint directory; "
                         f"its variables are the checkpoint prefix {variables}")
    indexes = sorted((n[:-len(".index")] for n in names if n.endswith(".index")), key=_natural)
    if indexes:
        example = os.path.join(directory, indexes[-1])
        raise UsageError(f"{directory} has no 'checkpoint' file naming its latest checkpoint; "
                         f"pass a checkpoint prefix instead, e.g. {example}")
    raise UsageError(f"no checkpoint in {directory}: it has no 'checkpoint' file")


def _from_state_file(directory: str) -> str:
    gfile = tf().io.gfile
    state_file = os.path.join(directory, "checkpoint")
    try:
        state = tf().train.get_checkpoint_state(directory)
    except ValueError:  # TF's answer to a state without model_checkpoint_path
        state = None
    if state is None:
        # get_checkpoint_state returns None for unreadable and unparsable files alike.
        with _tf_errors(state_file), gfile.GFile(state_file, "r") as f:
            f.read()
        raise UsageError(f"{state_file} is not a valid checkpoint state file "
                         f"(no model_checkpoint_path)")
    prefix = state.model_checkpoint_path
    # A copied or moved model dir: the state file still names the old absolute path.
    moved = os.path.join(directory, os.path.basename(prefix))
    with _tf_errors(prefix):
        if gfile.exists(prefix + ".index"):
            return prefix
        if moved != prefix and gfile.exists(moved + ".index"):
            return moved
    raise UsageError(f"{state_file} names checkpoint {prefix}, but {prefix}.index does not exist")


def open_reader(prefix: str):
    index = prefix + ".index"
    try:
        return tf().train.load_checkpoint(prefix)
    except tf().errors.OpError as exc:
        if _permission_denied(exc):
            raise UsageError(f"permission denied: cannot read {index}") from None
        # The reader reports bad tables as UNKNOWN or DATA_LOSS; anything else is I/O trouble.
        if exc.error_code in (tf().errors.UNKNOWN, tf().errors.DATA_LOSS):
            raise UsageError(f"checkpoint index {index} is truncated or corrupt: {error_line(exc)}") from None
        raise UsageError(f"cannot read checkpoint index {index}: {error_line(exc)}") from None


def _check_data_shards(prefix: str) -> None:
    """Fail unless all data shards exist: the reader opens them only when a value is read.

    The shard count N is in the file names (`PREFIX.data-00001-of-00003`); the reader does not
    expose the count the index records, so a prefix whose every shard is gone says so generally.
    """
    with _tf_errors(prefix):
        found = tf().io.gfile.glob(prefix + ".data-*-of-*")
    shards = {}  # N -> shard numbers present
    for name in found:
        m = _SHARD_RE.search(name)
        if m:
            shards.setdefault(int(m[2]), set()).add(int(m[1]))
    if any(have >= set(range(n)) for n, have in shards.items()):
        return
    if not shards:
        raise UsageError(f"checkpoint {prefix} has no data files ({prefix}.data-*-of-* is missing)")
    n, have = max(shards.items(), key=lambda item: len(item[1]))
    base = os.path.basename(prefix)
    missing = [f"{base}.data-{i:05d}-of-{n:05d}" for i in range(n) if i not in have]
    more = ", ..." if len(missing) > 3 else ""
    raise UsageError(f"checkpoint {prefix} is missing {len(missing)} of its {n} data shards: "
                     f"{', '.join(missing[:3])}{more}")


def _not_a_checkpoint(path: str, prefix: str) -> UsageError:
    if prefix != path:
        return UsageError(f"{path} belongs to checkpoint {prefix}, but {prefix}.index is missing")
    return UsageError(f"{path} is not a TensorFlow checkpoint; pass a model directory, "
                      f"a checkpoint prefix, or its .index/.data/.meta file")


def _missing(path: str) -> UsageError:
    # exists() says False inside a directory we may not list: name that instead of "no such".
    parent = os.path.dirname(path.rstrip("/")) or "."
    try:
        tf().io.gfile.listdir(parent)
    except tf().errors.PermissionDeniedError:
        return UsageError(f"permission denied: cannot list {parent} to find {path}")
    except tf().errors.OpError:
        pass
    return UsageError(f"no such file, directory or checkpoint prefix: {path}")


@contextlib.contextmanager
def _tf_errors(path: str):
    """Turn TensorFlow file-system errors (permissions, unknown schemes, network) into UsageError."""
    try:
        yield
    except tf().errors.OpError as exc:
        if _permission_denied(exc):
            raise UsageError(f"permission denied: cannot read {path}") from None
        raise UsageError(f"cannot access {path}: {error_line(exc)}") from None


def _permission_denied(exc) -> bool:
    # Some readers raise a bare OpError whose message ends "; Permission denied".
    return isinstance(exc, tf().errors.PermissionDeniedError) or "Permission denied" in str(exc)


def error_line(exc) -> str:
    text = (getattr(exc, "message", "") or str(exc)).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _natural(name: str) -> str:
    """Sort model.ckpt-9 before model.ckpt-10."""
    return re.sub(r"\d+", lambda m: m[0].zfill(20), name)


def object_names(ckpt: Checkpoint) -> dict:
    """For an object-based checkpoint: {variable name -> checkpoint key}, as Saver maps them.

    A name-based Saver that meets a tf.train.Checkpoint falls back to the names recorded in its
    object graph (saver.object_graph_key_mapping); we ask TF for the same mapping.
    """
    if not ckpt.object_based:
        return {}
    from graphlint.tfpatch.variables import object_graph_key_mapping

    return object_graph_key_mapping(ckpt.prefix)
