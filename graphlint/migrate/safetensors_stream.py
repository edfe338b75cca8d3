"""A .safetensors file written one tensor at a time: the safetensors package writes only a whole
state_dict it holds in memory, so `--write OUT.safetensors` writes the format itself.

The format (https://huggingface.co/docs/safetensors, "Format"): 8 bytes, the header's length as an
unsigned little-endian 64-bit integer; the header, a UTF-8 JSON object {name: {"dtype", "shape",
"data_offsets": [begin, end]}} (offsets into the data that follows it), padded with spaces to a
multiple of 8 bytes; then the tensors' bytes, little-endian, row-major, contiguous with no holes.
The header is known before any value is (each tensor's dtype and shape), so each value is produced,
written and dropped in turn: peak memory is about the largest tensor.

Tensors are laid out as the safetensors package lays them out, by dtype size (largest first) and
then by name, so that every tensor starts at a multiple of its element size.
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable

# dtype name (torch's and numpy's, without the prefix) -> (safetensors' name, bytes per element)
DTYPES = {"float64": ("F64", 8), "float32": ("F32", 4), "float16": ("F16", 2), "bfloat16": ("BF16", 2),
          "int64": ("I64", 8), "int32": ("I32", 4), "int16": ("I16", 2), "int8": ("I8", 1),
          "uint64": ("U64", 8), "uint32": ("U32", 4), "uint16": ("U16", 2), "uint8": ("U8", 1), "bool": ("BOOL", 1),
          "float8_e4m3fn": ("F8_E4M3", 1), "float8_e5m2": ("F8_E5M2", 1)}


@dataclass(frozen=True)
class Spec:
    """One tensor to write: its name, dtype name (DTYPES), shape, and how to get its value (a numpy
    array or a torch tensor, called once, when its turn comes)."""

    key: str
    dtype: str
    shape: tuple
    value: Callable


def supported(specs) -> bool:
    """The file can be streamed: every dtype is known and this machine stores numbers little-endian
    (the bytes are written as they are in memory)."""
    return sys.byteorder == "little" and all(s.dtype in DTYPES for s in specs)


def layout(specs) -> list:
    """The specs in the order their bytes are written: element size, largest first, then name."""
    return sorted(specs, key=lambda s: (-DTYPES[s.dtype][1], s.key))


def header(specs, metadata=None) -> bytes:
    """The 8-byte length and the padded JSON header for `specs` written in `layout` order."""
    doc = {"__metadata__": dict(metadata)} if metadata else {}
    offset = 0
    for s in layout(specs):
        code, itemsize = DTYPES[s.dtype]
        end = offset + itemsize * math.prod(s.shape)
        doc[s.key] = {"dtype": code, "shape": list(s.shape), "data_offsets": [offset, end]}
        offset = end
    text = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    return struct.pack("<Q", len(text)) + text


def write(path: str, specs, metadata=None) -> None:
    """Write `specs` to `path` one value at a time, through a temporary file next to it: a failure
    leaves no partial OUT."""
    if len({s.key for s in specs}) != len(specs):
        raise ValueError("duplicate tensor names")
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=f".{os.path.basename(path)}.",
                               suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(header(specs, metadata))
            for s in layout(specs):
                fh.write(_bytes(s, s.value()))
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _bytes(spec: Spec, value):
    """The value's bytes in row-major order, after checking they are what the header announced."""
    if type(value).__module__.split(".")[0] == "torch":
        import torch

        dtype, flat = str(value.dtype).replace("torch.", ""), value.detach().cpu().contiguous().reshape(-1)
        data = flat.view(torch.uint8).numpy() if flat.numel() else b""  # any dtype, as its raw bytes
    else:
        import numpy as np

        dtype, flat = value.dtype.name, np.ascontiguousarray(value).reshape(-1)
        data = flat.view(np.uint8)
    if (dtype, tuple(value.shape)) != (spec.dtype, tuple(spec.shape)):
        raise RuntimeError(f"{spec.key}: the header announced {spec.dtype} {list(spec.shape)}, the value is "
                           f"{dtype} {list(value.shape)}")
    return data
