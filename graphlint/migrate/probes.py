"""Per-layer parity: each mapped layer's output on both sides, so that "close but wrong" is located at
the first layer that differs rather than seen at the outputs only.

NEW's side is the layer's own output: a torch forward hook on the module, or the Keras layer's
symbolic output (a cell's: its RNN layer's). OLD's side has no layer objects, only ops; the mapping
says which old variables each layer comes from. Every op output is tagged with the layers whose
variables it depends on (and whether it depends on the features); a layer's join is the first op
that depends on the features and all its variables (the BiasAdd of a MatMul + bias, the last add
of a batch norm, the first step's gates of an LSTM). Its *segment* is every op tagged exactly as
its join: the layer's own computation up to where the next layer's variables come in (the
activation, an LSTM's later steps, its last output). NEW's output agrees when it equals one tensor
of the segment of its shape (torch's channels-first outputs are also read channels-last). The
layers are ordered by their join, i.e. as the old graph computes them, and the first that does not
agree is where the port goes wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

_VARIABLE_OPS = ("VarHandleOp", "VariableV2", "Variable")
MAX_CANDIDATES = 256  # per layer: the segment's last tensors (an unrolled RNN has many)


@dataclass(frozen=True)
class LayerParity:
    new: str  # NEW's layer
    old: str  # OLD's layer (scope)
    max_abs: Optional[float]  # None: not compared (see note)
    rel_l2: Optional[float]
    agrees: Optional[bool]
    old_tensor: str = ""  # the old graph's tensor NEW's output was compared with (the closest one)
    note: str = ""


def layer_pairs(mapping) -> list:
    """[(new layer, old layer, [old variable keys])] in NEW's order, from the mapping's entries."""
    from graphlint.migrate.mapping import keys

    pairs = {}
    for e in mapping.entries:
        pairs.setdefault((e.new_layer, e.old_layer), []).extend(keys(e.old))
    return [(n, o, keys) for (n, o), keys in pairs.items()]


# --- OLD: the segments of the old graph --------------------------------------------------------

def old_segments(graph, feeds, pairs) -> dict:
    """{old layer: (join index, [tensor])}: each layer's segment, its last MAX_CANDIDATES float
    tensors that can be fetched (not inside a while loop)."""
    by_var = _variable_ops(graph, pairs)
    masks = _dependency_masks(graph, {t.op.name for t in feeds}, by_var)
    ops = graph.get_operations()
    out = {}
    for bit, (_, old, _) in enumerate(pairs, start=1):
        need = 1 | (1 << bit)
        join = next((i for i, op in enumerate(ops) if masks.get(op.name, 0) & need == need), None)
        if join is None:
            continue
        tag = masks[ops[join].name]
        tensors = [t for op in ops[join:] if masks.get(op.name) == tag and _fetchable(op)
                   for t in op.outputs if t.dtype.is_floating]
        out[old] = (join, tensors[-MAX_CANDIDATES:])
    return out


def _variable_ops(graph, pairs) -> dict:
    """{variable op name: layer bit}; a partitioned variable's parts (key/part_N) are its ops."""
    bits = {key: bit for bit, (_, _, keys) in enumerate(pairs, start=1) for key in keys}
    found = {}
    for op in graph.get_operations():
        if op.type in _VARIABLE_OPS:
            key = op.name.rsplit("/part_", 1)[0] if "/part_" in op.name else op.name
            if key in bits:
                found[op.name] = bits[key]
    return found


def _dependency_masks(graph, feed_ops: set, variables: dict) -> dict:
    """{op name: bit mask}: bit 0 the features, bit b a layer's variables; along data edges. A while
    loop's back edges are inputs created after their op: passes repeat until nothing changes."""
    masks = {name: 1 for name in feed_ops}
    masks.update({name: 1 << bit for name, bit in variables.items()})
    ops = graph.get_operations()
    changed = True
    while changed:
        changed = False
        for op in ops:
            mask = masks.get(op.name, 0)
            for t in op.inputs:
                mask |= masks.get(t.op.name, 0)
            if mask != masks.get(op.name, 0):
                masks[op.name] = mask
                changed = True
    return masks


def _fetchable(op) -> bool:
    return getattr(op, "_control_flow_context", None) is None and op.type not in _VARIABLE_OPS


# --- NEW: the layers' own outputs --------------------------------------------------------------

def torch_hooks(model, names):
    """(handles, {name: [arrays]}): forward hooks recording each named module's outputs."""
    modules = dict(model.named_modules())
    seen, handles = {}, []
    for name in names:
        module = modules.get(name)
        if module is None:
            continue

        def hook(_module, _inputs, output, name=name):
            seen[name] = [t.detach().numpy() for t in _flat(output) if hasattr(t, "detach")]
        handles.append(module.register_forward_hook(hook))
    return handles, seen


def _flat(value):
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _flat(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _flat(v)]
    return [value]


def keras_outputs(model, names, inputs) -> tuple:
    """({name: [arrays]}, {name: the layer read}): each named layer's output (a cell's: its RNN
    layer's; a MultiHeadAttention's projection's: the attention layer's) on `inputs`, read through a
    functional model of those outputs; a layer with no symbolic output is left out."""
    import keras
    import numpy as np

    layers = {layer.path: layer for layer in model._flatten_layers(include_self=False)}
    wanted, read = {}, {}
    for name in names:
        layer = _with_output(layers, name)
        if layer is not None:
            wanted[name], read[name] = layer.output, layer.path
    if not wanted:
        return {}, {}
    try:
        reader = keras.Model(model.inputs, list(wanted.values()))
    except (ValueError, TypeError, AttributeError):  # a subclassed model: no graph of layers to read
        return {}, {}
    values = reader(inputs if isinstance(inputs, dict) else [inputs], training=False)
    values = values if isinstance(values, (list, tuple)) else [values]
    return {name: [np.asarray(v) for v in _flat(value)] for name, value in zip(wanted, values)}, read


def _with_output(layers: dict, path: str):
    """The layer at `path`, or the nearest enclosing layer (an RNN around its cell) with an output."""
    while path:
        layer = layers.get(path)
        if layer is not None:
            try:
                layer.output  # noqa: B018 - raises when the layer was never called symbolically
                return layer
            except (AttributeError, ValueError):
                pass
        path = path.rpartition("/")[0]
    return None


# --- comparing ---------------------------------------------------------------------------------

def targets(pairs, read: dict, segments: dict) -> tuple:
    """Which OLD segment each NEW layer's read output is compared with. The output read for a NEW
    layer is that of the module or layer `read[new]` names (itself; a Keras RNN around its cell, a
    MultiHeadAttention around its projections), which computes every mapped layer inside it (a
    torch MultiheadAttention's out_proj): it is compared with the segment of the one of those the
    old graph computes last, once, at the layer that carries it (the read one if it is mapped, else
    the last). Returns ({carrying NEW layer: OLD layer}, {other NEW layer read with it: carrier})."""
    old_of = {new: old for new, old, _ in pairs}
    groups = {}
    for new, _, _ in pairs:
        if new in read:
            groups.setdefault(read[new], []).append(new)
    against, shared = {}, {}
    for reader, members in groups.items():
        inside = [n for n in old_of if n == reader or n.startswith((reader + "/", reader + "."))]
        located = sorted((segments[old_of[n]][0], n) for n in set(inside) | set(members) if old_of[n] in segments)
        if not located:
            continue
        last = located[-1][1]
        carrier = reader if reader in members else last if last in members else max(
            ((j, n) for j, n in located if n in members), default=(0, None))[1]
        if carrier is None:  # no member's old layer is computed by the graph: compare() says so per layer
            continue
        against[carrier] = old_of[last]
        shared.update({m: carrier for m in members if m != carrier})
    return against, shared


def variants(array, torch: bool) -> list:
    """NEW's output as it may be laid out on OLD's side: itself; torch's channels-first read
    channels-last; a leading axis of one (an RNN's final state [layers, batch, units]) dropped."""
    import numpy as np

    out = [array]
    if torch and array.ndim >= 3:
        out.append(np.moveaxis(array, 1, -1))
    if array.ndim >= 3 and array.shape[0] == 1:
        out.append(array[0])
    return out


def compare(pairs, new_values: dict, segments: dict, old_values: dict, torch: bool, atol: float,
            rtol: float, aims: tuple = ({}, {})) -> list:
    """[LayerParity] in the order the old graph computes the layers (unlocated ones last); `aims` is
    targets()'s answer (by default each layer against its own segment)."""
    from graphlint.checkpoint.diff import distance

    against, shared = aims
    rows = []
    for new, old, _ in pairs:
        if old not in segments:
            rows.append((1 << 62, LayerParity(new, old, None, None, None, note="no op of OLD's graph uses it")))
            continue
        join, tensors = segments[old]
        if new in shared:
            rows.append((join, LayerParity(new, old, None, None, None,
                                           note=f"read only with {shared[new]}'s output, compared there")))
            continue
        if new not in new_values:
            rows.append((join, LayerParity(new, old, None, None, None, note="NEW's layer output is not readable")))
            continue
        target = against.get(new, old)
        if target != old:  # the read output computes later layers too: their last one's segment
            join, tensors = segments[target]
            old = f"{old} + {target}"
        best = None
        for a in (v for arr in new_values[new] for v in variants(arr, torch)):
            for t in tensors:
                b = old_values.get(t.name)  # fetched only where a static shape fits NEW's
                if b is None or tuple(a.shape) != tuple(b.shape):
                    continue
                d = distance(b.astype("float64"), a.astype("float64"))
                gap = d.max_abs or 0.0
                ok = gap <= atol + rtol * float(abs(b).max(initial=0.0))
                key = (not ok, gap)
                if best is None or key < best[0]:
                    best = (key, LayerParity(new, old, gap, d.rel_l2 or 0.0, ok, t.name))
        rows.append((join, best[1] if best else LayerParity(
            new, old, None, None, None, note="no tensor of OLD's layer has NEW's output shape")))
    return [row for _, row in sorted(rows, key=lambda r: r[0])]


def first_divergence(rows) -> Optional[LayerParity]:
    return next((r for r in rows if r.agrees is False), None)
