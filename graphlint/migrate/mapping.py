"""The alignment of OLD's layers with NEW's, and the per-weight mapping it implies.

No per-architecture code: a layer is known by its kind and its main shape in TF1's layout
(layers.Layer.tokens), and the two sides are aligned in order (the longest common subsequence of
those tokens, old in creation order, new in the model's or file's order; both in their names' order
when one side's order is only that), then out of order where
one candidate is left. Ambiguity is never guessed: when a layer could take either of two
same-token layers of the other side (order leaves both possible, and their names do not decide),
it is reported with its candidates and mapped to neither. Layers left over between the same
aligned neighbours and of the same kind are a pair whose shapes do not fit (a mismatch, told
apart from a missing layer); the rest have no counterpart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from graphlint.migrate import attention, gru, layouts, new
from graphlint.migrate.layers import Layer, Weight, name_key, name_similarity

# New framework's role -> the old role it is made from (the rest keep their name).
_SOURCE_ROLE = {"recurrent_kernel": "kernel", "weight_ih_l0": "kernel", "weight_hh_l0": "kernel",
                "bias_ih_l0": "bias", "bias_hh_l0": "bias"}


@dataclass(frozen=True)
class Entry:
    new: str  # new weight key
    # old checkpoint key (the variable; --use-ema reads its shadow: see `read`), or a tuple of keys
    # whose values the transform joins (concat: a fused query/key/value weight; blocks: a GRU's)
    old: object
    transform: dict
    new_layer: str
    old_layer: str
    read: object = ""  # the key(s) whose value is converted: `old`, or its EMA shadow(s)


def keys(old) -> tuple:
    """An entry's old (or read) key(s) as a tuple."""
    return tuple(old) if isinstance(old, (tuple, list)) else (old,)


@dataclass(frozen=True)
class Issue:
    kind: str  # "no-source", "unused", "mismatch", "ambiguous", "dtype", "not-converted"
    name: str  # the layer (or weight) the finding names
    detail: dict = field(default_factory=dict)


@dataclass
class Mapping:
    entries: list = field(default_factory=list)  # [Entry], in NEW's order
    issues: list = field(default_factory=list)  # [Issue]
    pairs: list = field(default_factory=list)  # [(old Layer, new Layer, how)]: how "order", "shape", "mismatch"


def source_role(role: str) -> str:
    return _SOURCE_ROLE.get(role, role)


def common_kinds(o: Layer, n: Layer) -> list:
    """The kinds under which o and n are the same layer (same kind, same main shape)."""
    ot, nt = o.tokens(), n.tokens()
    return sorted(k for k in ot.keys() & nt.keys() if ot[k] == nt[k])


def align(old_layers: list, new_layers: list, framework: str, by_name: bool = False) -> Mapping:
    """by_name: one side's order is only its names' (OLD without a meta graph, a safetensors NEW),
    so both are taken in their names' order: the model's order against sorted names would pair
    same-shaped layers (query, key, value) by chance."""
    result = Mapping()
    order = {k: i for i, k in enumerate(w.key for n in new_layers for w in n.weights.values())}  # NEW's own
    if by_name:
        old_layers = sorted(old_layers, key=lambda o: name_key(o.name))
        new_layers = sorted(new_layers, key=lambda n: name_key(n.name))
    old_layers = attention.merged(old_layers, new_layers)  # query/key/value as one layer for a fused NEW one
    matched = _lcs(old_layers, new_layers)
    _ambiguous_in_slots(old_layers, new_layers, matched, result)
    unsure = {j for iss in result.issues for j in iss.detail["new_index"]}
    taken_new = set(matched) | unsure
    taken_old = set(matched.values()) | {i for iss in result.issues for i in iss.detail["old_index"]}
    for j, i in sorted(matched.items()):
        if j not in unsure:
            result.pairs.append((old_layers[i], new_layers[j], "order"))
    _out_of_order(old_layers, new_layers, taken_old, taken_new, result)
    _mismatches(old_layers, new_layers, matched, taken_old, taken_new, result)
    for j, n in enumerate(new_layers):
        if j not in taken_new:
            result.issues.append(Issue("no-source", n.name, {"layer": n, "why": "layer"}))
    for i, o in enumerate(old_layers):
        if i not in taken_old:
            result.issues.append(Issue("unused", o.name, {"layer": o, "why": "layer"}))
    for o, n, how in result.pairs:
        _weights(o, n, framework, how, result)
    result.entries.sort(key=lambda e: order.get(e.new, len(order)))
    return result


def _lcs(old_layers, new_layers) -> dict:
    """{new index: old index} of the longest common subsequence of matching tokens; among equally
    long ones, the one whose paired names agree most (BERT's encoder with one layer fewer in NEW:
    layer.0 takes layer_0, not layer_1)."""
    n_old, n_new = len(old_layers), len(new_layers)
    score = [[(0, 0)] * (n_new + 1) for _ in range(n_old + 1)]  # (pairs, name agreement) from (i, j) on
    for i in range(n_old - 1, -1, -1):
        for j in range(n_new - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            if common_kinds(old_layers[i], new_layers[j]):
                pairs, agree = score[i + 1][j + 1]
                best = max(best, (pairs + 1, agree + name_similarity(old_layers[i].name, new_layers[j].name)))
            score[i][j] = best
    out, i, j = {}, 0, 0
    while i < n_old and j < n_new:
        pairs, agree = score[i + 1][j + 1]
        if common_kinds(old_layers[i], new_layers[j]) and \
                score[i][j] == (pairs + 1, agree + name_similarity(old_layers[i].name, new_layers[j].name)):
            out[j] = i
            i, j = i + 1, j + 1
        elif score[i + 1][j] >= score[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def _slot(matched: dict, j: int, n_old: int) -> tuple:
    """The old indices (lo, hi) between which new layer j's counterpart must lie to keep the order."""
    lo = max((i for jj, i in matched.items() if jj < j), default=-1)
    hi = min((i for jj, i in matched.items() if jj > j), default=n_old)
    return lo, hi


def _ambiguous_in_slots(old_layers, new_layers, matched, result) -> None:
    """A matched pair whose old layer could as well go to an unmatched same-token new layer in its
    slot, or whose new layer could as well take an unmatched same-token old layer: the order alone
    chose, so unless the names decide it is ambiguous."""
    for j, i in sorted(matched.items()):
        if matched.get(j) != i:  # moved by a name decision above
            continue
        others = {jj: ii for jj, ii in matched.items() if jj != j}
        lo, hi = _slot(others, j, len(old_layers))
        free_old = set(range(len(old_layers))) - set(matched.values())
        rivals = [k for k in sorted(free_old) if lo < k < hi and common_kinds(old_layers[k], new_layers[j])]
        if rivals:
            _decide_old(old_layers, new_layers, matched, j, [i] + rivals, result)
            continue
        inverse = {ii: jj for jj, ii in others.items()}
        lo_new = max((jj for ii, jj in inverse.items() if ii < i), default=-1)
        hi_new = min((jj for ii, jj in inverse.items() if ii > i), default=len(new_layers))
        rivals = [k for k in range(lo_new + 1, hi_new) if k not in matched and common_kinds(old_layers[i], new_layers[k])]
        if rivals:
            _decide_new(old_layers, new_layers, matched, i, [j] + rivals, result)


def _by_name(layers: list, other: Layer) -> list:
    """The positions in `layers` that the names say `other` is: the one whose last component equals
    its, or among several the one that shares the most trailing words; [] or several: undecided."""
    scores = [(layer.leaf() == other.leaf(), name_similarity(layer.name, other.name)) for layer in layers]
    best = max(scores)
    return [k for k, sc in enumerate(scores) if sc == best] if best > (False, 0) else []


def _decide_old(old_layers, new_layers, matched, j, candidates, result) -> None:
    by_name = [candidates[k] for k in _by_name([old_layers[c] for c in candidates], new_layers[j])]
    if len(by_name) == 1:
        matched[j] = by_name[0]  # the names tell which of the equals it is
        return
    result.issues.append(Issue("ambiguous", new_layers[j].name, {
        "layer": new_layers[j], "candidates": [old_layers[k] for k in candidates], "new_index": (j,),
        "old_index": tuple(candidates)}))


def _decide_new(old_layers, new_layers, matched, i, candidates, result) -> None:
    by_name = [candidates[k] for k in _by_name([new_layers[c] for c in candidates], old_layers[i])]
    if len(by_name) == 1:
        j = next(jj for jj, ii in matched.items() if ii == i)
        del matched[j]
        matched[by_name[0]] = i
        return
    result.issues.append(Issue("ambiguous", old_layers[i].name, {
        "old_layer": old_layers[i], "new_candidates": [new_layers[k] for k in candidates],
        "new_index": tuple(candidates), "old_index": (i,)}))


def _out_of_order(old_layers, new_layers, taken_old, taken_new, result) -> None:
    for j, n in enumerate(new_layers):
        if j in taken_new:
            continue
        olds = [i for i, o in enumerate(old_layers) if i not in taken_old and common_kinds(o, n)]
        if not olds:
            continue
        rivals = [jj for jj, m in enumerate(new_layers) if jj not in taken_new and common_kinds(old_layers[olds[0]], m)]
        if len(olds) == 1 and rivals == [j]:
            result.pairs.append((old_layers[olds[0]], n, "shape"))
            taken_old.add(olds[0])
            taken_new.add(j)
        elif len(olds) > 1:
            result.issues.append(Issue("ambiguous", n.name, {"layer": n, "candidates": [old_layers[i] for i in olds],
                                                             "new_index": (j,), "old_index": tuple(olds)}))
            taken_new.add(j)
            taken_old.update(olds)


def _mismatches(old_layers, new_layers, matched, taken_old, taken_new, result) -> None:
    """Unplaced layers of one kind between the same aligned neighbours: one layer whose shapes do not fit."""
    kept = {j: i for j, i in matched.items() if j in taken_new}
    for j, n in enumerate(new_layers):
        if j in taken_new:
            continue
        lo, hi = _slot(kept, j, len(old_layers))
        olds = [i for i in range(lo + 1, hi) if i not in taken_old and _same_kind(old_layers[i], n)]
        news = [jj for jj, m in enumerate(new_layers) if jj not in taken_new and _slot(kept, jj, len(old_layers)) == (lo, hi)
                and olds and _same_kind(old_layers[olds[0]], m)]
        if len(olds) == 1 and news == [j]:
            result.pairs.append((old_layers[olds[0]], n, "mismatch"))
            taken_old.add(olds[0])
            taken_new.add(j)


def _same_kind(o: Layer, n: Layer) -> bool:
    return bool(o.tokens().keys() & n.tokens().keys())


def resolved(layer: Layer, kind: str) -> Layer:
    """The layer taken as `kind` (one of its alternatives): a table read as a kernel or back."""
    if layer.kind == kind or not layer.alternatives:
        return layer
    rename = {"table": "kernel"} if kind == "dense" else {"kernel": "table"} if kind == "embedding" else {}
    ws = {rename.get(r, r): Weight(w.key, rename.get(r, r), w.shape, w.dtype) for r, w in layer.weights.items()}
    return Layer(layer.name, kind, ws, layer.alternatives[kind], dict(layer.info))


def _weights(o: Layer, n: Layer, framework: str, how: str, result: Mapping) -> None:
    kinds = common_kinds(o, n) or sorted(o.tokens().keys() & n.tokens().keys())
    if len(kinds) > 1 and _transforms_differ(o, n, kinds, framework):
        result.issues.append(Issue("ambiguous", n.name, {"layer": n, "candidates": [o], "kinds": kinds}))
        return
    o, n = resolved(o, kinds[0]), resolved(n, kinds[0])
    if n.kind == "gru" and not gru.converts(o, n, framework):  # gru.py says why: one finding, mapped to nothing
        result.issues.append(Issue("not-converted", n.name, {"layer": n, "old_layer": o, "framework": framework}))
        return
    if n.kind == "lstm" and o.kind == "lstm":
        n.info.setdefault("units", o.info.get("units"))
    if n.kind == attention.KIND and o.info.get("roles", "") is None:  # names do not say which is the query
        result.issues.append(Issue("ambiguous", n.name, {"layer": n, "candidates": list(o.info["members"]),
                                                         "fused": True}))
        return
    used = set()
    for role, w in n.weights.items():
        sources = [o.weights.get(r) for r in _source_roles(n, role)]
        if None in sources:
            result.issues.append(Issue("no-source", w.key, {"layer": n, "weight": w, "old_layer": o, "role": role,
                                                            "why": "role"}))
            continue
        used.update(s.key for s in sources)
        t = gru.keras_transform(o, role) if n.kind == "gru" else new.transform(framework, n, role)
        shape = layouts.shape_after_all(t, [s.shape for s in sources])
        old = sources[0] if len(sources) == 1 else _joined(sources)
        if shape != w.shape:
            result.issues.append(Issue("mismatch", w.key, {"layer": n, "weight": w, "old": old, "old_layer": o,
                                                           "transform": t, "shape": shape}))
        elif any(s.dtype != w.dtype for s in sources):
            result.issues.append(Issue("dtype", w.key, {"layer": n, "weight": w,
                                                        "old": next(s for s in sources if s.dtype != w.dtype)}))
        else:
            key = sources[0].key if len(sources) == 1 else tuple(s.key for s in sources)
            result.entries.append(Entry(w.key, key, t, n.name, o.name, key))
    for w in o.weights.values():
        if w.key not in used:
            result.issues.append(Issue("unused", w.key, {"layer": o, "weight": w, "new_layer": n, "why": "role"}))


def _source_roles(n: Layer, role: str) -> list:
    """The old roles NEW weight `role` is made from: one, or a fused weight's parts in order."""
    if n.kind == "gru":
        return gru.sources(role)
    return attention.sources(n, role) if n.kind == attention.KIND else [source_role(role)]


def _joined(sources: list) -> Weight:
    """Several old weights concatenated, as one Weight for reports (key 'a + b + c', the first's shape)."""
    return Weight(" + ".join(s.key for s in sources), sources[0].role, sources[0].shape, sources[0].dtype)


def _transforms_differ(o, n, kinds, framework) -> bool:
    seen = set()
    for kind in kinds:
        nn = resolved(n, kind)
        seen.add(tuple(str(new.transform(framework, nn, r)) for r in nn.weights))
    return len(seen) > 1


def find_entry(mapping: Mapping, key: str) -> Optional[Entry]:
    return next((e for e in mapping.entries if e.new == key), None)
