"""Naming conventions and layouts: what each weight is (its role in its layer) and how a tensor in
TF1's layout becomes the new framework's.

Every layer is described in TF1's layout ("old layout"): a dense kernel is [in, out], a conv kernel
is HWIO (spatial dims, in, out), a depthwise kernel [H, W, C, M], an LSTM is TF1 LSTMCell's fused
kernel [in + units, 4 * units] and bias [4 * units] with gates in the order i, c, f, o (TF1 calls
c `j`). A transform is a small JSON-able dict, written as is into the mapping file.
"""

from __future__ import annotations

import math
import re

# Leaf names -> role, per convention: TF1 get_variable/tf.layers/slim, Keras, PyTorch.
ROLE_OF_LEAF = {
    "kernel": "kernel", "weights": "kernel", "weight": "kernel", "w": "kernel",
    "depthwise_kernel": "kernel", "depthwise_weights": "kernel",
    "bias": "bias", "biases": "bias", "b": "bias",
    "gamma": "gamma", "scale": "gamma", "beta": "beta", "offset": "beta",
    "moving_mean": "mean", "running_mean": "mean", "moving_variance": "var", "running_var": "var",
    "embeddings": "table", "embedding": "table", "word_embeddings": "table", "lookup_table": "table",
    "recurrent_kernel": "recurrent_kernel",
}
# A 2-D tensor alone could be an embedding table or a kernel without bias; a name that says
# "embed" (position_embeddings, token_embedding, embed_tokens) says which.
_TABLE_NAME_RE = re.compile(r"embed", re.I)
NORM_ROLES = ("gamma", "beta", "mean", "var")
STATISTICS = ("mean", "var")

# Gate orders of the fused LSTM kernels' column blocks (c is the cell candidate: TF1's j, torch's g).
TF1_LSTM_GATES = "icfo"  # tf.compat.v1.nn.rnn_cell.LSTMCell / BasicLSTMCell / LSTMBlockCell
KERAS_LSTM_GATES = "ifco"
TORCH_LSTM_GATES = "ifco"
TF1_FORGET_BIAS = 1.0  # LSTMCell(forget_bias=1.0) adds it to f at run time: it is not in the checkpoint

IDENTITY = {"op": "identity"}


def names_a_table(name: str) -> bool:
    """The layer's own name (its last path component) says it is an embedding table."""
    return bool(_TABLE_NAME_RE.search(re.split(r"[/.]", name)[-1]))


def transpose_last_two(rank: int) -> dict:
    return {"op": "identity"} if rank < 2 else {"op": "permute", "axes": list(range(rank - 2)) + [rank - 1, rank - 2]}


def hwio_to_oihw(rank: int) -> dict:
    """TF's conv kernel [*spatial, in, out] -> PyTorch's [out, in, *spatial]."""
    return {"op": "permute", "axes": [rank - 1, rank - 2] + list(range(rank - 2))}


DEPTHWISE_TO_TORCH = {"op": "depthwise_to_torch"}  # [H, W, C, M] -> [C * M, 1, H, W]


def lstm_part(part: str, units: int, inputs: int, new_gates: str, transposed: bool) -> dict:
    """One new LSTM weight from TF1's fused kernel or bias: part is 'input' (the kernel's first
    `inputs` rows), 'recurrent' (its last `units` rows), 'bias' (forget_bias added to f) or 'zero'
    (a second bias the TF1 cell does not have)."""
    return {"op": "lstm", "part": part, "units": units, "inputs": inputs, "old_gates": TF1_LSTM_GATES,
            "new_gates": new_gates, "forget_bias": TF1_FORGET_BIAS, "transpose": transposed}


def reshape(shape) -> dict:
    """A row-major reinterpretation (numpy's reshape): a dense kernel [in, out] as an EinsumDense's
    [in, heads, head_dim] or [heads, head_dim, out] (attention.py says when that is exact)."""
    return {"op": "reshape", "shape": [int(d) for d in shape]}


def concat(each: dict, axis: int = 0) -> dict:
    """Several old tensors, each transformed by `each`, concatenated in the entry's order along `axis`
    (PyTorch's fused in_proj_weight: query, key and value kernels, each transposed)."""
    return {"op": "concat", "axis": axis, "each": each}


def blocks(parts: list, axis: int) -> dict:
    """Blocks of the entry's old tensors joined along `axis`: parts is [(index of the old key in the
    entry, [(start, stop) per axis of that tensor])], in the new tensor's order (Keras's GRU kernel:
    columns of TF1's gates kernel and of its candidate kernel). A block is written as numpy's index
    ("0:4, 6:12" is value[0:4, 6:12]), every bound explicit; nothing is transposed or reshaped."""
    return {"op": "blocks", "axis": int(axis),
            "blocks": [{"old": int(i), "slice": ", ".join(f"{int(a)}:{int(b)}" for a, b in ranges)}
                       for i, ranges in parts]}


_RANGE_RE = re.compile(r"\s*([0-9]+):([0-9]+)\s*")


def block_ranges(text) -> tuple:
    """A block's "start:stop, ..." as ((start, stop), ...); anything else is a ValueError."""
    parts = text.split(",") if isinstance(text, str) else [None]
    matches = [_RANGE_RE.fullmatch(p) if isinstance(p, str) else None for p in parts]
    if None in matches:
        raise ValueError(f"block slice {text!r} is not 'start:stop' per axis, e.g. '0:4, 6:12'")
    return tuple((int(m.group(1)), int(m.group(2))) for m in matches)


def block_boxes(transform: dict, n_keys: int) -> list:
    """[(old key index, ((start, stop) per axis))] of a blocks transform, its form checked: a block
    that names no key of the entry, or an entry key no block takes, is a ValueError (a malformed
    transform); ranges are checked against the shapes by shape_after_all."""
    parts = transform["blocks"]
    if not isinstance(parts, list) or not parts:
        raise ValueError("blocks needs a list of blocks")
    out = []
    for part in parts:
        index = part["old"]
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < n_keys:
            raise ValueError(f"block old {index!r} is not the index of one of the entry's {n_keys} old keys")
        out.append((index, block_ranges(part["slice"])))
    if {i for i, _ in out} != set(range(n_keys)):
        raise ValueError(f"the blocks take {len({i for i, _ in out})} of the entry's {n_keys} old keys")
    return out


def _blocks_shape(transform: dict, shapes: list) -> tuple:
    """The joined blocks' shape, or () when a range lies outside its tensor (a shape that does not
    fit) or the blocks differ off the axis."""
    axis = transform["axis"]
    if not isinstance(axis, int) or isinstance(axis, bool):
        raise ValueError(f"blocks axis {axis!r} is not an integer")
    parts = []
    for index, ranges in block_boxes(transform, len(shapes)):
        shape = tuple(shapes[index])
        if len(ranges) != len(shape) or any(not 0 <= a <= b <= d for (a, b), d in zip(ranges, shape)):
            return ()
        parts.append(tuple(b - a for a, b in ranges))
    return _joined_shape(parts, axis)


def _joined_shape(parts: list, axis: int) -> tuple:
    """The shape of numpy's concatenate of tensors of these shapes along `axis`, or () when they do not join."""
    if not parts or any(not p or len(p) != len(parts[0]) or not -len(p) <= axis < len(p) for p in parts):
        return ()
    rest = {p[:axis % len(p)] + p[axis % len(p) + 1:] for p in parts}
    if len(rest) != 1:
        return ()
    out = list(parts[0])
    out[axis] = sum(p[axis] for p in parts)
    return tuple(out)


def shape_after_all(transform: dict, shapes: list) -> tuple:
    """The shape the entry's old tensors (one, or several for concat and blocks) give after `transform`."""
    if transform["op"] == "blocks":
        return _blocks_shape(transform, shapes)
    if transform["op"] != "concat":
        if len(shapes) != 1:
            raise ValueError(f"{transform['op']} takes one old tensor, not {len(shapes)}")
        return shape_after(transform, shapes[0])
    return _joined_shape([shape_after(transform["each"], s) for s in shapes], int(transform["axis"]))


def apply_all(transform: dict, values: list):
    """The entry's old tensors (numpy, old layout) as the one new tensor."""
    import numpy as np

    if transform["op"] == "blocks":
        if not _blocks_shape(transform, [v.shape for v in values]):  # never numpy's silent clipping
            raise ValueError("blocks do not fit the old tensors")
        parts = [values[i][tuple(slice(a, b) for a, b in ranges)] for i, ranges in block_boxes(transform, len(values))]
        return np.ascontiguousarray(np.concatenate(parts, axis=transform["axis"]))
    if transform["op"] != "concat":
        (value,) = values
        return apply(transform, value)
    return np.ascontiguousarray(np.concatenate([apply(transform["each"], v) for v in values], axis=transform["axis"]))


def shape_after(transform: dict, shape: tuple) -> tuple:
    """The shape a tensor of `shape` has after `transform` (without touching any values)."""
    op = transform["op"]
    shape = tuple(shape)
    if op == "identity":
        return shape
    if op == "reshape":
        target = tuple(int(d) for d in transform["shape"])
        return target if size(target) == size(shape) else ()
    if op == "permute":
        axes = transform["axes"]
        return tuple(shape[a] for a in axes) if len(axes) == len(shape) else ()
    if op == "depthwise_to_torch":
        if len(shape) != 4:
            return ()
        h, w, c, m = shape
        return (c * m, 1, h, w)
    if op == "lstm":
        return _lstm_shape(transform, shape)
    if op in ("concat", "blocks"):
        return shape_after_all(transform, [shape])
    raise ValueError(f"unknown transform {op!r}")


def _lstm_shape(t: dict, shape: tuple) -> tuple:
    rows = {"input": t["inputs"], "recurrent": t["units"]}
    if t["part"] in rows:
        if len(shape) != 2:
            return ()
        out = (rows[t["part"]], shape[1])
        return out[::-1] if t["transpose"] else out
    return shape


def apply(transform: dict, value):
    """The tensor `value` (numpy, old layout) in the new layout (a permutation returns a view)."""
    import numpy as np

    op = transform["op"]
    if op == "identity":
        return value
    if op == "reshape":
        return np.reshape(value, transform["shape"])
    if op in ("concat", "blocks"):
        return apply_all(transform, [value])
    if op == "permute":  # a view: the new format's library copies it into its own layout (torch: 2-3x numpy's copy)
        return np.transpose(value, transform["axes"])
    if op == "depthwise_to_torch":
        h, w, c, m = value.shape
        return np.ascontiguousarray(np.transpose(value, (2, 3, 0, 1)).reshape(c * m, 1, h, w))
    if op == "lstm":
        return _lstm_apply(transform, value)
    raise ValueError(f"unknown transform {op!r}")


def _lstm_apply(t: dict, value):
    import numpy as np

    part, units = t["part"], t["units"]
    if part == "zero":
        return np.zeros_like(value)
    if part == "input":
        value = value[:t["inputs"]]
    elif part == "recurrent":
        value = value[t["inputs"]:]
    blocks = np.split(value, 4, axis=-1)
    if part == "bias":
        blocks[t["old_gates"].index("f")] = blocks[t["old_gates"].index("f")] + value.dtype.type(t["forget_bias"])
    out = np.concatenate([blocks[t["old_gates"].index(g)] for g in t["new_gates"]], axis=-1)
    assert out.shape[-1] == 4 * units
    return np.ascontiguousarray(out.T if t["transpose"] else out)


def describe(transform: dict) -> str:
    """The transform in a few words, for reports."""
    op = transform["op"]
    if op == "permute":
        return f"permute{tuple(transform['axes'])}"
    if op == "reshape":
        return f"reshape{tuple(transform['shape'])}"
    if op == "concat":
        return f"concat on axis {transform['axis']}, each {describe(transform['each'])}"
    if op == "blocks":
        return f"blocks on axis {transform['axis']}: " + ", ".join(
            f"#{b['old']}[{b['slice']}]" for b in transform["blocks"])
    if op == "lstm":
        extra = ", transposed" if transform["transpose"] else ""
        return (f"lstm {transform['part']} (gates {transform['old_gates']} -> {transform['new_gates']}"
                f"{', forget_bias +' + str(transform['forget_bias']) if transform['part'] == 'bias' else ''}{extra})")
    return op


def size(shape) -> int:
    return math.prod(shape)
