"""The editable mapping file: JSON, one entry per NEW weight in NEW's order, keys sorted, so the same
migration always writes the same bytes and a reviewed file diffs cleanly.

    {"schema_version": 1, "old": PREFIX, "new": PATH, "framework": "torch", "use_ema": false,
     "weights": [{"new": "fc1.weight", "old": "dense/kernel", "transform": {"op": "permute", "axes": [1, 0]}},
                 {"new": "attn.in_proj_weight", "old": [".../query/kernel", ".../key/kernel", ".../value/kernel"],
                  "transform": {"op": "concat", "axis": 0, "each": {"op": "permute", "axes": [1, 0]}}},
                 ...]}

An entry's `old` is one key, or a list of keys whose values the transform joins: `concat` whole
tensors in the list's order, `blocks` slices of them named by their index in the list. Read back
with --mapping, it replaces the automatic alignment; coverage is checked the same way (every old key
used or classified, each once within an entry and in one entry only, unless entries take different
parts of one LSTM kernel or bias, or blocks that take each of a key's values exactly once).
"""

from __future__ import annotations

import json

from graphlint.errors import UsageError
from graphlint.migrate import layouts
from graphlint.migrate.layers import Weight
from graphlint.migrate.mapping import Entry, Issue, Mapping, keys, source_role

SCHEMA_VERSION = 1


def render(mapping: Mapping, old_side, new_side, use_ema) -> str:
    doc = {"schema_version": SCHEMA_VERSION, "old": old_side.prefix, "new": new_side.path,
           "framework": new_side.framework, "use_ema": bool(use_ema),
           "weights": [{"new": e.new, "old": e.old, "transform": e.transform, "new_layer": e.new_layer,
                        "old_layer": e.old_layer} for e in mapping.entries]}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise UsageError(f"--mapping: cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"--mapping: {path} is not JSON: line {exc.lineno}: {exc.msg}") from None
    if not isinstance(doc, dict) or doc.get("schema_version") != SCHEMA_VERSION or not isinstance(doc.get("weights"), list):
        raise UsageError(f"--mapping: {path} is not a graphlint mapping file (schema_version {SCHEMA_VERSION}, weights)")
    return doc


def mapping_from(doc: dict, path: str, old_side, new_side) -> Mapping:
    """The Mapping a file states, with the issues coverage reports (shapes are checked, not trusted)."""
    new_weights = {w.key: (layer, w) for layer in new_side.layers for w in layer.weights.values()}
    old_weights = {w.key: (layer, w) for layer in old_side.layers for w in layer.weights.values()}
    result, seen = Mapping(), set()
    users = {}  # old key -> [(new key, transform)]
    for item in doc["weights"]:
        new, old, transform = _fields(item, path)
        if new not in new_weights:
            raise UsageError(f"--mapping: {path} maps {new!r}, which is not a weight of {new_side.path}")
        for index, key in enumerate(keys(old)):
            if key not in old_weights:
                raise UsageError(f"--mapping: {path} maps {new!r} from {key!r}, which is not a model variable of "
                                 f"{old_side.prefix}")
            users.setdefault(key, []).append((new, transform, index))
        if new in seen:
            raise UsageError(f"--mapping: {path} maps {new!r} twice")
        seen.add(new)
        nl, w = new_weights[new]
        sources = [old_weights[k][1] for k in keys(old)]
        try:
            shape = layouts.shape_after_all(transform, [o.shape for o in sources])
        except (KeyError, ValueError, TypeError) as exc:
            raise UsageError(f"--mapping: {path}: bad transform for {new!r}: {exc}") from None
        o = sources[0] if len(sources) == 1 else Weight(" + ".join(keys(old)), "", sources[0].shape, sources[0].dtype)
        if shape != w.shape:
            result.issues.append(Issue("mismatch", new, {"layer": nl, "weight": w, "old": o,
                                                         "old_layer": old_weights[keys(old)[0]][0],
                                                         "transform": transform, "shape": shape}))
        elif any(s.dtype != w.dtype for s in sources):
            result.issues.append(Issue("dtype", new, {"layer": nl, "weight": w,
                                                      "old": next(s for s in sources if s.dtype != w.dtype)}))
        else:
            result.entries.append(Entry(new, old, transform, nl.name, _old_layer(old, old_weights), old))
    _used_once(users, old_weights, path)
    used = set(users)
    for key, (nl, w) in new_weights.items():
        if key not in seen:
            result.issues.append(Issue("no-source", key, {"layer": nl, "weight": w, "old_layer": None,
                                                          "role": source_role(w.role), "why": "file"}))
    for key, (ol, o) in old_weights.items():
        if key not in used:
            result.issues.append(Issue("unused", key, {"layer": ol, "weight": o, "new_layer": None, "why": "file"}))
    order = {k: i for i, k in enumerate(new_weights)}
    result.entries.sort(key=lambda e: order[e.new])
    return result


def _fields(item, path) -> tuple:
    old = item.get("old") if isinstance(item, dict) else None
    several = isinstance(old, list) and old and all(isinstance(k, str) for k in old)
    if not isinstance(item, dict) or not isinstance(item.get("new"), str) or not (isinstance(old, str) or several) \
            or not isinstance(item.get("transform"), dict):
        raise UsageError(f"--mapping: {path}: each entry of weights needs new, old (a key or a list of keys) and "
                         f"transform; got {item!r}")
    return item["new"], tuple(old) if several else old, item["transform"]


def _old_layer(old, old_weights) -> str:
    """The entry's old layer: its key's, or the scope the keys' layers share (a fused weight's
    query, key and value under attention/self), else their names joined."""
    names = list(dict.fromkeys(old_weights[k][0].name for k in keys(old)))
    if len(names) == 1:
        return names[0]
    parts = [n.split("/") for n in names]
    common = [p[0] for p in zip(*parts) if len(set(p)) == 1]
    return "/".join(common) if common else " + ".join(names)


def _used_once(users: dict, old_weights: dict, path: str) -> None:
    """Each old key feeds one entry, once; only different parts of one TF1 LSTM kernel or bias
    (input and recurrent rows, bias and zero), or `blocks` that take each of its values once (a
    Keras GRU's kernel and recurrent_kernel from TF1's gates kernel), are several uses of one key."""
    for key, uses in users.items():
        ops = {t.get("op") for _, t, _ in uses}
        if ops == {"blocks"}:
            _each_value_once(key, uses, old_weights[key][1].shape, path)
            continue
        if len(uses) == 1:
            continue
        parts = [t.get("part") for _, t, _ in uses]
        if ops == {"lstm"} and len(set(parts)) == len(parts):
            continue
        raise UsageError(f"--mapping: {path} uses {key!r} " + (f"twice for {uses[0][0]!r}" if len({n for n, _, _ in uses})
                         == 1 else f"for {', '.join(repr(n) for n, _, _ in uses)}") + ": each old key feeds one entry")


def _each_value_once(key: str, uses: list, shape: tuple, path: str) -> None:
    """The blocks that name `key` lie inside it, overlap nowhere and together take all of it: an
    edit that drops or repeats trained values is refused, not converted."""
    boxes = [(new, layouts.block_ranges(b["slice"])) for new, t, index in uses for b in t["blocks"] if b["old"] == index]
    for new, ranges in boxes:
        if len(ranges) != len(shape) or any(not 0 <= a <= b <= d for (a, b), d in zip(ranges, shape)):
            raise UsageError(f"--mapping: {path} takes {_show(ranges)} of {key!r} for {new!r}, which is not within "
                             f"its shape {list(shape)}")
    for k, (new, ranges) in enumerate(boxes):
        for other, others in boxes[k + 1:]:
            if all(max(a, c) < min(b, d) for (a, b), (c, d) in zip(ranges, others)):
                raise UsageError(f"--mapping: {path} takes {key!r} {_show(ranges)} for {new!r} and {_show(others)} "
                                 f"for {other!r}: each old value feeds one weight, once")
    taken = sum(layouts.size([b - a for a, b in ranges]) for _, ranges in boxes)
    if taken != layouts.size(shape):
        raise UsageError(f"--mapping: {path} takes {taken} of the {layouts.size(shape)} values of {key!r}: its "
                         "blocks must take all of it (the rest would be lost)")


def _show(ranges) -> str:
    return "[" + ", ".join(f"{a}:{b}" for a, b in ranges) + "]"
