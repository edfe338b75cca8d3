"""Signatures as plain, picklable records: from the serving graph TF builds, or from a SavedModel."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from graphlint.errors import UsageError
from graphlint.model.tfcompat import tf

SERVE_TAG = "serve"


@dataclass(frozen=True)
class TensorSig:
    name: str  # the graph tensor, "x:0"
    dtype: str
    shape: Optional[tuple]  # None: unknown rank; None inside: an unknown dimension


@dataclass(frozen=True)
class Signature:
    method: str
    inputs: dict  # key -> TensorSig
    outputs: dict


@dataclass
class SavedModelInfo:
    path: str
    signatures: dict  # key -> Signature
    variables: str  # the checkpoint prefix of its variables ("" when it has none)


@dataclass
class ServingBuild:
    """What building the serving graph found (serving/build.py)."""

    receiver_fn: str
    signatures: dict = field(default_factory=dict)  # key -> Signature, as the export would write them
    dropped: dict = field(default_factory=dict)  # export_outputs key -> why Estimator drops it
    missing: list = field(default_factory=list)  # [(signature, io, key, tensor name)] not in the graph
    restore_keys: dict = field(default_factory=dict)  # key -> (shape, dtype), what the SavedModel restores


def from_signature_def(sig_def) -> Signature:
    return Signature(sig_def.method_name, _infos(sig_def.inputs), _infos(sig_def.outputs))


def _infos(infos) -> dict:
    return {k: _tensor(v) for k, v in sorted(infos.items())}


def _tensor(info) -> TensorSig:
    t = tf()
    shape = t.TensorShape(info.tensor_shape)
    dims = tuple(shape.as_list()) if shape.rank is not None else None
    name = info.name or (info.coo_sparse.values_tensor_name if info.HasField("coo_sparse") else "")
    return TensorSig(name, t.as_dtype(info.dtype).name, dims)


def read_saved_model(path: str) -> SavedModelInfo:
    """The `serve` MetaGraph's signatures and the variables prefix, parsed by TF's own loader."""
    gfile = tf().io.gfile  # first: tf() imports TensorFlow with its C++ start-up chatter captured
    from graphlint.tfpatch.saved_model import parse_saved_model

    path = os.fspath(path)
    if not gfile.exists(path):
        raise UsageError(f"--saved-model: no such directory: {path}")
    if not any(gfile.exists(os.path.join(path, name)) for name in ("saved_model.pb", "saved_model.pbtxt")):
        what = "a directory without saved_model.pb" if gfile.isdir(path) else "a file"
        raise UsageError(f"--saved-model: {path} is {what}, not a SavedModel directory")
    try:
        proto = parse_saved_model(path)
    except (OSError, IOError) as exc:
        raise UsageError(f"--saved-model: cannot read {path}: {_line(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - a corrupt saved_model.pb raises a protobuf DecodeError
        raise UsageError(f"--saved-model: cannot parse {path}: {type(exc).__name__}: {_line(exc)}") from None
    graphs = [m for m in proto.meta_graphs if SERVE_TAG in m.meta_info_def.tags] or list(proto.meta_graphs)
    if not graphs:
        raise UsageError(f"--saved-model: {path} holds no MetaGraph")
    sigs = {k: from_signature_def(v) for k, v in sorted(graphs[0].signature_def.items())}
    prefix = os.path.join(path, "variables", "variables")
    return SavedModelInfo(path, sigs, prefix if tf().io.gfile.exists(prefix + ".index") else "")


def _line(exc) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
