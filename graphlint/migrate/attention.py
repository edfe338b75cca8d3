"""Attention layers: Keras 3's EinsumDense (MultiHeadAttention's query, key, value and output
projections) and PyTorch's fused query/key/value projection (nn.MultiheadAttention's in_proj), each
against TF1's separate dense layers ([d, d] kernels, as bert's modeling.py and every TF1 transformer
writes them).

EinsumDense: a dense layer whose kernel keeps its axes unflattened. When its equation contracts the
input's last axes with the kernel's first axes and the kernel's other axes are the output's last
axes, in the same order, and its bias (if any) spans exactly those output axes (MultiHeadAttention's
`abc,cde->abde` with bias `de`, and `abcd,cde->abe` with bias `e`), it computes a TF1 dense layer
whose kernel [prod(input axes), prod(output axes)] is the EinsumDense kernel flattened row-major:
the mapping is an exact reshape. That holds when the old model split the heads as TF1 transformers
do, `reshape([batch, seq, heads, head_dim])` of the dense output (and merged them back the same
way); a model that split them otherwise differs at the attention layer in parity (GL607). Any other
equation is not a dense layer here (a NEW weight without source, never a wrong reshape).

Fused QKV: nn.MultiheadAttention's in_proj_weight [3d, d_in] is the query, key and value weights in
that order (torch's own layout), each [d, d_in] = a TF1 kernel [d_in, d] transposed; in_proj_bias
[3d] their biases. Which OLD layer is the query, the key and the value is decided by the old layers'
names only (query/q, key/k, value/v as a word of the layer's last name component, one of each among
sibling dense layers of one shape); when the names do not say it (dense, dense_1, dense_2), the
three layers are still found by their place, but the layer is ambiguous (GL604), never guessed by
creation order.
"""

from __future__ import annotations

import math
import re

from graphlint.migrate import layouts
from graphlint.migrate.layers import Layer, name_tokens

KIND = "qkv"
PARTS = "qkv"  # nn.MultiheadAttention's in_proj order
_ROLE_WORDS = {"q": ("query", "q"), "k": ("key", "k"), "v": ("value", "v")}
TORCH_FAMILY = {"in_proj_weight": "kernel", "in_proj_bias": "bias"}  # fused weight -> the old parts' role


# --- Keras: EinsumDense ------------------------------------------------------------------------

def einsum_dense(name: str, ws: dict, equation: str, bias_axes) -> Layer:
    """An EinsumDense's weights (roles kernel, bias) as a dense layer in TF1's layout when its
    equation makes it one (module docstring), else an 'other' layer."""
    kernel = ws.get("kernel")
    axes = _dense_axes(equation, bias_axes, "bias" in ws)
    if kernel is None or axes is None or set(ws) - {"kernel", "bias"}:
        return Layer(name, "other", ws, next(iter(ws.values())).shape)
    n_in = len(axes[0])
    main = (math.prod(kernel.shape[:n_in]), math.prod(kernel.shape[n_in:]))
    return Layer(name, "dense", ws, main, {"einsum": equation})


def _dense_axes(equation: str, bias_axes, has_bias: bool):
    """(contracted axes, produced axes) of a kernel in dense order, or None when it is not one."""
    m = re.fullmatch(r"([a-z.]+),([a-z]+)->([a-z.]+)", (equation or "").replace(" ", ""))
    if m is None:
        return None
    inputs, kernel, outputs = (s.replace(".", "") for s in m.groups())
    contracted = "".join(c for c in kernel if c in inputs and c not in outputs)
    produced = "".join(c for c in kernel if c in outputs and c not in inputs)
    if kernel != contracted + produced or not contracted or not produced:
        return None  # an axis shared by all three (per-head weights) or a kernel axis order not dense's
    if not inputs.endswith(contracted) or not outputs.endswith(produced):
        return None  # flattening the old [..., in] / [..., out] would not be row-major over these axes
    if has_bias and (bias_axes or "") != produced:
        return None  # a bias broadcast over some output axes is not TF1's bias [out]
    return contracted, produced


def keras_transform(layer: Layer, role: str) -> dict:
    w = layer.weights[role]
    flat = (layer.main_shape if role == "kernel" else layer.main_shape[1:])
    return dict(layouts.IDENTITY) if tuple(w.shape) == tuple(flat) else layouts.reshape(w.shape)


# --- PyTorch: nn.MultiheadAttention's fused in_proj --------------------------------------------

def torch_layer(name: str, ws: dict):
    """nn.MultiheadAttention's own weights (in_proj_weight [3d, d_in], in_proj_bias [3d]) as a
    'qkv' layer of main shape (d_in, 3, d), else None."""
    weight = ws.get("in_proj_weight")
    if weight is None or set(ws) - set(TORCH_FAMILY) or len(weight.shape) != 2 or weight.shape[0] % 3:
        return None
    d, d_in = weight.shape[0] // 3, weight.shape[1]
    return Layer(name, KIND, dict(ws), (d_in, 3, d), {"parts": PARTS, "part_shape": (d_in, d)})


def torch_transform(layer: Layer, role: str) -> dict:
    each = layouts.transpose_last_two(2) if TORCH_FAMILY[role] == "kernel" else dict(layouts.IDENTITY)
    return layouts.concat(each, 0)


def sources(layer: Layer, role: str) -> list:
    """The old roles a fused NEW weight is concatenated from, in order (q_kernel, k_kernel, v_kernel)."""
    return [f"{part}_{TORCH_FAMILY[role]}" for part in layer.info["parts"]]


# --- OLD: the query, key and value dense layers as one layer -----------------------------------

def role_of(layer: Layer):
    """'q', 'k' or 'v' when the layer's last name component says it (one role word among its words)."""
    words = set(name_tokens(re.split(r"[/.]", layer.name)[-1]))
    found = [part for part, names in _ROLE_WORDS.items() if words & set(names)]
    return found[0] if len(found) == 1 else None


def merged(old_layers: list, new_layers: list) -> list:
    """OLD's layers with each query/key/value triple a NEW fused layer could take made one 'qkv'
    layer at the first one's place: siblings whose names say query, key and value; else (names
    that do not say) the first three of a run of sibling dense layers of the part shape, with
    roles unknown (the pair is then ambiguous). Only for the part shapes NEW's fused layers have."""
    shapes = {n.info["part_shape"] for n in new_layers if n.kind == KIND}
    if not shapes:
        return old_layers
    groups = _named_triples(old_layers, shapes)
    grouped = {id(m) for g in groups for m in g[0]}
    groups += _unnamed_runs([o for o in old_layers if id(o) not in grouped], shapes)
    first = {id(g[0][0]): g for g in groups}
    members = {id(m) for g in groups for m in g[0]}
    out = []
    for layer in old_layers:
        if id(layer) in first:
            out.append(_virtual(*first[id(layer)]))
        elif id(layer) not in members:
            out.append(layer)
    return out


def _scope(layer: Layer) -> str:
    return layer.name.rpartition("/")[0]


def _dense_of(layer: Layer, shapes: set) -> bool:
    return layer.kind == "dense" and tuple(layer.main_shape) in shapes and "kernel" in layer.weights


def _named_triples(old_layers: list, shapes: set) -> list:
    by_scope = {}
    for layer in old_layers:
        if _dense_of(layer, shapes):
            by_scope.setdefault(_scope(layer), []).append(layer)
    out = []
    for siblings in by_scope.values():
        roles = {}
        for layer in siblings:
            roles.setdefault(role_of(layer), []).append(layer)
        triple = [roles.get(p, []) for p in PARTS]
        if all(len(t) == 1 for t in triple):
            members = [t[0] for t in triple]
            if len({m.main_shape for m in members}) == 1 and len({frozenset(m.weights) for m in members}) == 1:
                ordered = sorted(members, key=old_layers.index)
                out.append((ordered, {p: m for p, m in zip(PARTS, (t[0] for t in triple))}))
    return out


def _unnamed_runs(old_layers: list, shapes: set) -> list:
    out, run = [], []
    for layer in old_layers + [None]:
        if layer is not None and _dense_of(layer, shapes) and (not run or (
                _scope(layer) == _scope(run[0]) and layer.main_shape == run[0].main_shape)):
            run.append(layer)
            continue
        if len(run) >= 3:
            out.append((run[:3], None))
        run = [layer] if layer is not None and _dense_of(layer, shapes) else []
    return out


def _virtual(members: list, roles) -> Layer:
    """One 'qkv' layer over the members (roles None: the names do not say which is which)."""
    scope = _scope(members[0]) if len({_scope(m) for m in members}) == 1 else ""
    name = scope or " + ".join(m.name for m in members)
    weights = {f"{p}_{r}": w for p, m in (roles or {}).items() for r, w in m.weights.items()}
    d_in, d = members[0].main_shape
    info = {"members": members, "roles": roles, "part_shape": (d_in, d)}
    if roles is None:  # each member's own weights, so that nothing is mapped from a guess
        weights = {f"{i}_{r}": w for i, m in enumerate(members) for r, w in m.weights.items()}
    return Layer(name, KIND, weights, (d_in, 3, d), info)
