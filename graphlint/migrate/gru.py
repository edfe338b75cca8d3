"""GRUs: TF1's GRUCell against PyTorch's nn.GRU and Keras 3's GRU, and why graphlint converts none.

TF1's GRUCell (variables `gru_cell/gates/{kernel,bias}` [inputs + units, 2 units] with column blocks
r, u, and `gru_cell/candidate/{kernel,bias}` [inputs + units, units]) applies the reset gate
*before* the recurrent product:

    r, u = sigmoid([x, h] @ gates_kernel + gates_bias)
    c = tanh([x, r * h] @ candidate_kernel + candidate_bias)       # (r * h) @ U_c
    h' = u * h + (1 - u) * c

PyTorch's nn.GRU, and Keras's GRU with reset_after=True (its default), apply it *after*:
n = tanh(W_n x + b_in + r * (U_n h + b_hn)). r * (h @ U) equals (r * h) @ U for every h and r only
when U is diagonal, so no weights make either compute what the old cell computed: a converted
model would load and be wrong. Each is one finding at the layer (rules/layer_not_converted.py
words it), and the layer is mapped to nothing.

Keras's GRU(reset_after=False) computes the same function:

    z = sigmoid(x @ W_z + h @ U_z + b_z),  r = sigmoid(x @ W_r + h @ U_r + b_r)
    hh = tanh(x @ W_h + (r * h) @ U_h + b_h),  h' = z * h + (1 - z) * hh

so its z, r, hh are TF1's u, r, c, and each Keras weight is column blocks of both old ones, split by
rows into the input part (the first `inputs` rows, as TF1 multiplies [x, h]) and the recurrent part:
kernel = [G[:in, u], G[:in, r], C[:in]], recurrent_kernel = the same of rows in:, bias =
[g[u], g[r], c]. Each is one mapping entry of two old keys (gates, candidate) with a `blocks`
transform (layouts.blocks), its offsets read from OLD's cell, so that a cell of another size never
yields blocks that happen to fit.
"""

from __future__ import annotations

import re

from graphlint.migrate import layouts
from graphlint.migrate.layers import Layer

_GRU_SCOPE_RE = re.compile(r"gru", re.I)
KERAS_GATES = "zrh"  # Keras's column blocks: update, reset, candidate (TF1's u, r, c)
_SOURCES = {"kernel": "kernel", "recurrent_kernel": "kernel", "bias": "bias"}  # Keras role -> old role


def merged_cells(layers: list) -> list:
    """OLD's layers with each TF1 GRUCell's `gates` and `candidate` dense layers made one 'gru'
    layer (named by the cell's scope, at the gates' place)."""
    by_name = {layer.name: layer for layer in layers}
    merged = {}  # gates layer name -> (the gru layer, the candidate layer's name)
    for layer in layers:
        scope, _, leaf = layer.name.rpartition("/")
        candidate = by_name.get(f"{scope}/candidate")
        if leaf == "gates" and candidate is not None and _is_cell(scope, layer, candidate):
            units = candidate.main_shape[1]
            weights = {f"{part}_{role}": w for part, cell_layer in (("gates", layer), ("candidate", candidate))
                       for role, w in cell_layer.weights.items()}
            merged[layer.name] = (Layer(scope, "gru", weights, (layer.main_shape[0], 3 * units),
                                        {"units": units, "inputs": layer.main_shape[0] - units}), candidate.name)
    dropped = {name for _, name in merged.values()}
    return [merged[layer.name][0] if layer.name in merged else layer for layer in layers if layer.name not in dropped]


def _is_cell(scope: str, gates: Layer, candidate: Layer) -> bool:
    if not _GRU_SCOPE_RE.search(scope.rsplit("/", 1)[-1]) or gates.kind != "dense" or candidate.kind != "dense":
        return False
    (rows, two_units), (rows_c, units) = gates.main_shape, candidate.main_shape
    return rows == rows_c and two_units == 2 * units and rows > units and set(gates.weights) == {"kernel", "bias"} \
        and set(candidate.weights) == {"kernel", "bias"}


def torch_layer(name: str, ws: dict):
    """nn.GRU's one-layer, one-direction weights as a 'gru' layer (reset after), else None."""
    if set(ws) != {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}:
        return None
    units, inputs = ws["weight_hh_l0"].shape[1], ws["weight_ih_l0"].shape[1]
    return Layer(name, "gru", dict(ws), (inputs + units, 3 * units),
                 {"units": units, "inputs": inputs, "reset_after": True})


def keras_layer(name: str, ws: dict, reset_after: bool):
    """Keras's GRUCell weights as a 'gru' layer, else None."""
    if {"kernel", "recurrent_kernel", "bias"} != set(ws):
        return None
    units, inputs = ws["recurrent_kernel"].shape[0], ws["kernel"].shape[0]
    return Layer(name, "gru", ws, (inputs + units, 3 * units),
                 {"units": units, "inputs": inputs, "reset_after": bool(reset_after)})



# --- the one conversion: TF1's GRUCell -> Keras's GRU(reset_after=False) ----------------------------

def converts(old: Layer, new: Layer, framework: str) -> bool:
    """NEW computes OLD's cell: a Keras GRU that resets before, against a TF1 GRUCell (merged_cells)."""
    return framework == "keras" and new.info.get("reset_after") is False and old.kind == "gru" \
        and {"gates_kernel", "gates_bias", "candidate_kernel", "candidate_bias"} == set(old.weights)


def sources(role: str) -> list:
    """The old roles a Keras GRU weight takes blocks of, in the entry's order: gates, then candidate."""
    return [f"gates_{_SOURCES[role]}", f"candidate_{_SOURCES[role]}"]


def keras_transform(old: Layer, role: str) -> dict:
    """The blocks of (gates, candidate) that make Keras's `role`: columns u, r of the gates and the
    candidate's, in Keras's order z, r, h; kernels' rows the input part (kernel) or the recurrent
    part (recurrent_kernel). Offsets are OLD's: a NEW of another size gets a shape that does not fit."""
    units, inputs = old.info["units"], old.info["inputs"]
    columns = {"z": (0, (units, 2 * units)), "r": (0, (0, units)), "h": (1, (0, units))}  # TF1's u, r, c
    if role == "bias":
        return layouts.blocks([(i, [cols]) for i, cols in (columns[g] for g in KERAS_GATES)], 0)
    rows = (0, inputs) if role == "kernel" else (inputs, inputs + units)
    return layouts.blocks([(i, [rows, cols]) for i, cols in (columns[g] for g in KERAS_GATES)], 1)
