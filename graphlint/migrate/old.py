"""OLD: a TF1 name-based checkpoint, read with TensorFlow's own reader, its keys grouped into layers.

The layers' order is the variables' creation order, read from the checkpoint's meta graph
(`PREFIX.meta`, written by Saver by default) when there is one, else the keys' natural order. The
meta graph also tells which keys were saved from partitioned variables (their `save_slice_info`):
the reader returns them whole, concatenated, and a new model must hold them whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphlint.checkpoint import reader as ckpt_lib
from graphlint.errors import UsageError
from graphlint.migrate import gru, layouts
from graphlint.migrate.layers import Layer, Weight

# Keys that are not model weights, by class (reader.classify's, plus metrics).
_METRIC_RE = re.compile(r"(^|/)(metrics?|accuracy|auc|mean|total|count)(/|$)")
_LSTM_SCOPE_RE = re.compile(r"lstm", re.I)


@dataclass
class OldSide:
    prefix: str
    layers: list  # [Layer], creation order
    classified: dict  # key -> class ("optimizer", "global_step", "ema", "metric", "object-graph")
    shadows: dict  # variable key -> its ExponentialMovingAverage key
    partitions: dict = field(default_factory=dict)  # key -> [part shapes]
    order: str = "meta graph"  # where the layer order comes from: "meta graph" or "names"


def read(path: str) -> OldSide:
    ckpt = ckpt_lib.read(path)
    if ckpt.object_based:
        raise UsageError(f"{ckpt.prefix} is an object-based (TF2) checkpoint; `migrate` reads TF1 "
                                  "name-based checkpoints (written by tf.compat.v1.train.Saver)")
    created, partitions = _meta_graph(ckpt.prefix)
    classified, shadows, model = {}, {}, {}
    for key, entry in ckpt.entries.items():
        cls = entry.cls if entry.cls != "other" else ("metric" if _is_metric(key) else "other")
        if cls == "other":
            model[key] = Weight(key, "", entry.shape, entry.dtype)
        else:
            classified[key] = cls
        if cls == "ema":
            shadows[key.rsplit("/", 1)[0]] = key
    rank = {name: i for i, name in enumerate(created)}
    keys = sorted(model, key=lambda k: (rank.get(k, len(rank)), _natural(k)))
    side = OldSide(ckpt.prefix, gru.merged_cells(scope_layers(keys, model)), classified, shadows, partitions,
                   "meta graph" if created else "names")
    return side


def _is_metric(key: str) -> bool:
    return bool(_METRIC_RE.search(key.rsplit("/", 1)[0] + "/")) and key.rsplit("/", 1)[-1] in ("total", "count")


def _natural(name: str) -> str:
    return re.sub(r"\d+", lambda m: m[0].zfill(20), name)


def _meta_graph(prefix: str) -> tuple:
    """([saved names in creation order], {saved name -> [part shapes]}) from PREFIX.meta; ([], {})
    when there is none or it cannot be read (the order then falls back to the names)."""
    from graphlint.model.tfcompat import tf

    try:
        from tensorflow.core.framework import variable_pb2
        from tensorflow.core.protobuf import meta_graph_pb2

        with tf().io.gfile.GFile(prefix + ".meta", "rb") as fh:
            meta = meta_graph_pb2.MetaGraphDef.FromString(fh.read())
    except Exception:  # a missing or foreign .meta only costs the order: the checkpoint is the truth
        return [], {}
    created, partitions = [], {}
    for raw in meta.collection_def["variables"].bytes_list.value:
        var = variable_pb2.VariableDef.FromString(raw)
        info = var.save_slice_info_def
        name = info.full_name or var.variable_name.split(":")[0]
        if info.full_name:
            partitions.setdefault(name, []).append(tuple(info.var_shape))
        if name not in created:
            created.append(name)
    return created, partitions


def scope_layers(keys: list, weights: dict) -> list:
    """Group keys by scope into layers; a scope whose leaves do not name distinct roles is one
    layer per key (kind 'other'). Also a TF2 NEW's (new_tf.py): TF's layouts on both sides."""
    scopes = {}
    for key in keys:
        scopes.setdefault(key.rsplit("/", 1)[0] if "/" in key else "", []).append(key)
    out = []
    for scope, members in scopes.items():
        roles = [layouts.ROLE_OF_LEAF.get(k.rsplit("/", 1)[-1]) for k in members]
        if None in roles or len(set(roles)) != len(roles):
            out += [_single(k, weights[k]) for k in members]
            continue
        layer = _classify(scope, {r: Weight(k, r, weights[k].shape, weights[k].dtype)
                                  for r, k in zip(roles, members)})
        out += layer if isinstance(layer, list) else [layer]
    return out


def _single(key: str, w: Weight):
    """A key alone in its layer: a 2-D tensor no convention names is a table or a kernel (decided
    by its name when it says "embed", else by the new side), anything else only maps by an
    identical shape."""
    if len(w.shape) != 2:
        return Layer(key, "other", {"value": Weight(key, "value", w.shape, w.dtype)}, w.shape)
    table = Layer(key, "embedding", {"table": Weight(key, "table", w.shape, w.dtype)}, w.shape)
    if not layouts.names_a_table(key):
        table.alternatives = {"embedding": w.shape, "dense": w.shape}
    return table


def _classify(scope: str, ws: dict):
    roles = set(ws)
    if roles & set(layouts.NORM_ROLES) and roles <= set(layouts.NORM_ROLES):
        width = next(iter(ws.values())).shape
        return Layer(scope, "norm", ws, width)
    if roles == {"table"}:
        return Layer(scope, "embedding", ws, ws["table"].shape)
    kernel = ws.get("kernel")
    if kernel is None or roles - {"kernel", "bias"}:
        return [Layer(w.key, "other", {"value": w}, w.shape) for w in ws.values()]
    shape = kernel.shape
    if len(shape) == 2 and _is_fused_lstm(scope, shape, ws.get("bias")):
        units = shape[1] // 4
        return Layer(scope, "lstm", ws, shape, {"units": units, "inputs": shape[0] - units})
    if len(shape) == 2:
        return Layer(scope, "dense", ws, shape)
    if len(shape) == 4 and "depthwise" in kernel.key.rsplit("/", 1)[-1]:
        return Layer(scope, "depthwise", ws, shape)
    if 3 <= len(shape) <= 5:
        return Layer(scope, "conv", ws, shape)
    return [Layer(w.key, "other", {"value": w}, w.shape) for w in ws.values()]


def _is_fused_lstm(scope: str, shape: tuple, bias) -> bool:
    """TF1's LSTM cells name their scope lstm_cell / basic_lstm_cell and fuse the four gates'
    input and recurrent weights in one kernel [inputs + units, 4 * units]."""
    rows, cols = shape
    return (bool(_LSTM_SCOPE_RE.search(scope.rsplit("/", 1)[-1])) and cols % 4 == 0 and rows > cols // 4
            and bias is not None and bias.shape == (cols,))
