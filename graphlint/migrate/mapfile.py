"""The editable mapping file: JSON, one entry per NEW weight in NEW's order, keys sorted, so the same
migration always writes the same bytes and a reviewed file diffs cleanly.

    {"schema_version": 1, "old": PREFIX, "new": PATH, "framework": "torch", "use_ema": false,
     "weights": [{"new": "fc1.weight", "old": "dense/kernel", "transform": {"op": "permute", "axes": [1, 0]}},
                 ...]}

Read back with --mapping, it replaces the automatic alignment; coverage is checked the same way.
"""

from __future__ import annotations

import json

from graphlint.errors import UsageError
from graphlint.migrate import layouts
from graphlint.migrate.mapping import Entry, Issue, Mapping, source_role

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
    for item in doc["weights"]:
        new, old, transform = _fields(item, path)
        if new not in new_weights:
            raise UsageError(f"--mapping: {path} maps {new!r}, which is not a weight of {new_side.path}")
        if old not in old_weights:
            raise UsageError(f"--mapping: {path} maps {new!r} from {old!r}, which is not a model variable of "
                             f"{old_side.prefix}")
        if new in seen:
            raise UsageError(f"--mapping: {path} maps {new!r} twice")
        seen.add(new)
        (nl, w), (ol, o) = new_weights[new], old_weights[old]
        try:
            shape = layouts.shape_after(transform, o.shape)
        except (KeyError, ValueError, TypeError) as exc:
            raise UsageError(f"--mapping: {path}: bad transform for {new!r}: {exc}") from None
        if shape != w.shape:
            result.issues.append(Issue("mismatch", new, {"layer": nl, "weight": w, "old": o, "old_layer": ol,
                                                         "transform": transform, "shape": shape}))
        elif o.dtype != w.dtype:
            result.issues.append(Issue("dtype", new, {"layer": nl, "weight": w, "old": o}))
        else:
            result.entries.append(Entry(new, old, transform, nl.name, ol.name, old))
    used = {item["old"] for item in doc["weights"]}
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
    if not isinstance(item, dict) or not isinstance(item.get("new"), str) or not isinstance(item.get("old"), str) \
            or not isinstance(item.get("transform"), dict):
        raise UsageError(f"--mapping: {path}: each entry of weights needs new, old and transform; got {item!r}")
    return item["new"], item["old"], item["transform"]
