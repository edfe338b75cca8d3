"""Coverage: what the mapping leaves uncovered, as neutral facts (a MigrationCheck) that each
`graphlint migrate` rule (graphlint/rules/, rules/_migrate.py) reads to decide and word its own
findings; nothing here names a rule.

Every NEW weight must be mapped exactly once (or be bookkeeping such as num_batches_tracked), with
shape and dtype equal after the transform; every OLD key must be used or classified (optimizer
slots, global_step, metrics, EMA shadows).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Optional

from graphlint.migrate import layouts


@dataclass(frozen=True)
class LayerWithoutSource:
    """A NEW layer the alignment found no OLD layer for."""

    layer: object  # layers.Layer (NEW)


@dataclass(frozen=True)
class WeightNotInFile:
    """A NEW weight the mapping file (--mapping) has no entry for."""

    layer: object
    weight: object  # layers.Weight (NEW)


@dataclass(frozen=True)
class PartsWithoutSource:
    """A NEW layer's weights whose paired OLD layer lacks their part (batch-norm statistics, ...)."""

    layer: object  # NEW
    old_layer: object
    weights: tuple  # [layers.Weight] (NEW)
    statistics: bool  # they are all batch-norm moving statistics


@dataclass(frozen=True)
class UnusedLayer:
    """An OLD layer no NEW weight takes, and where it sat between the NEW layers its neighbours became."""

    layer: object  # OLD
    after: str  # the NEW layer its preceding paired neighbour became ("": none)
    before: str  # the NEW layer its following paired neighbour became ("": none)
    order: str  # where OLD's layer order comes from (old.OldSide.order)


@dataclass(frozen=True)
class UnusedBlock:
    """Several OLD layers no NEW weight takes, that are every OLD layer under one scope (a block
    missing from the port, such as one of BERT's encoder layers): one cause, one fact."""

    scope: str  # the deepest scope all of them share
    layers: tuple  # [layers.Layer] (OLD), in OLD's order
    after: str  # as UnusedLayer's, for the block as a whole ("": none, or not one place)
    before: str
    order: str


@dataclass(frozen=True)
class UnusedWeight:
    """An OLD weight no NEW weight takes: of a paired layer (`new_layer`), or of no mapping file entry."""

    layer: object  # OLD
    weight: object  # OLD
    new_layer: object = None  # the NEW layer it is paired with; None: the mapping file names the pairs


@dataclass(frozen=True)
class WeightMisfit:
    """A NEW weight and its source, with what would fit (at most one of the last three)."""

    weight: object  # NEW
    old: object  # its source (OLD)
    transform: str  # the transform, described (layouts.describe)
    shape: tuple  # the source's shape after the transform
    partitions: tuple = ()  # the part shapes OLD's variable was saved from, when NEW holds one of them
    fits_transposed: bool = False  # the transform keeps the layout, and OLD transposed fits
    fits_as_is: bool = False  # the transform transposes, and OLD as it is fits


@dataclass(frozen=True)
class ShapeMismatch:
    """A NEW layer whose weights do not take their sources' shapes after the transform."""

    layer: object  # NEW
    weights: tuple  # [WeightMisfit]


@dataclass(frozen=True)
class Ambiguity:
    """A NEW layer that could take any of several OLD layers, or one OLD layer as several kinds; or
    (is_old) an OLD layer that could go to any of several NEW layers."""

    layer: object
    candidates: tuple  # the other side's layers
    kinds: tuple = ()  # the kinds a NEW layer could be, when its one candidate's transforms differ by kind
    is_old: bool = False
    fused: bool = False  # a NEW fused query/key/value layer: the candidates' names do not say which is which


@dataclass(frozen=True)
class DtypeMismatch:
    """A NEW layer's weights whose dtypes differ from their sources'."""

    layer: object  # NEW
    weights: tuple  # [(NEW Weight, OLD Weight)]


@dataclass(frozen=True)
class NotConverted:
    """A NEW layer paired with an OLD one whose weights are not converted (gru.py says why)."""

    layer: object  # NEW
    old_layer: object
    framework: str  # NEW's: "torch" or "keras"


@dataclass(frozen=True)
class MigrationCheck:
    """What one migration leaves uncovered (coverage) or computes differently (parity): each GL6xx rule
    decides which of these are its findings."""

    layers_without_source: tuple = ()  # [LayerWithoutSource]
    weights_not_in_file: tuple = ()  # [WeightNotInFile]
    parts_without_source: tuple = ()  # [PartsWithoutSource]
    unused_layers: tuple = ()  # [UnusedLayer]
    unused_blocks: tuple = ()  # [UnusedBlock]
    unused_weights: tuple = ()  # [UnusedWeight]
    shape_mismatches: tuple = ()  # [ShapeMismatch]
    ambiguous: tuple = ()  # [Ambiguity], in the alignment's order
    dtype_mismatches: tuple = ()  # [DtypeMismatch]
    unchosen_shadows: tuple = ()  # OLD's EMA shadow keys, sorted, when neither --use-ema nor --no-use-ema chose
    not_converted: tuple = ()  # [NotConverted]
    parity: Optional[object] = None  # parity.ParityCheck, with --old-model


_KNOWN = {("no-source", "layer"), ("no-source", "file"), ("no-source", "role"), ("unused", "layer"),
          ("unused", "file"), ("unused", "role"), ("mismatch", ""), ("ambiguous", ""), ("dtype", ""),
          ("not-converted", "")}  # (kind, why) of mapping.Issue that check() reads


def check(mapping, old_side, use_ema) -> MigrationCheck:
    """The mapping's issues (mapping.py, mapfile.py) as facts; the issues of one layer pair that
    share a cause (its shapes, its dtypes, its missing parts) are one fact, however many weights."""
    of = defaultdict(list)  # (issue kind, why) -> [issue detail], in the mapping's order
    for issue in mapping.issues:
        of[issue.kind, issue.detail.get("why", "")].append(issue.detail)
    if set(of) - _KNOWN:  # a new kind of issue must become a fact, not be dropped silently
        raise RuntimeError(f"coverage has no fact for mapping issues {sorted(set(of) - _KNOWN)}")
    blocks = _blocks([d["layer"] for d in of["unused", "layer"]], old_side.layers)
    return MigrationCheck(
        layers_without_source=tuple(LayerWithoutSource(d["layer"]) for d in of["no-source", "layer"]),
        weights_not_in_file=tuple(WeightNotInFile(d["layer"], d["weight"]) for d in of["no-source", "file"]),
        parts_without_source=tuple(_parts(ds) for ds in _by_layer(of["no-source", "role"])),
        unused_layers=tuple(_unused_layer(b[0], mapping, old_side) for _, b in blocks if len(b) == 1),
        unused_blocks=tuple(_unused_block(scope, b, mapping, old_side) for scope, b in blocks if len(b) > 1),
        unused_weights=tuple(UnusedWeight(d["layer"], d["weight"], d["new_layer"])
                             for d in of["unused", "file"] + of["unused", "role"]),
        shape_mismatches=tuple(ShapeMismatch(ds[0]["layer"], tuple(_misfit(d, old_side) for d in ds))
                               for ds in _by_layer(of["mismatch", ""])),
        ambiguous=tuple(_ambiguity(d) for d in of["ambiguous", ""]),
        dtype_mismatches=tuple(DtypeMismatch(ds[0]["layer"], tuple((d["weight"], d["old"]) for d in ds))
                               for ds in _by_layer(of["dtype", ""])),
        unchosen_shadows=tuple(sorted(old_side.shadows.values())) if use_ema is None else (),
        not_converted=tuple(NotConverted(d["layer"], d["old_layer"], d["framework"]) for d in of["not-converted", ""]))


def _by_layer(details: list) -> list:
    """[[detail]] per NEW layer, in the order the layers first appear."""
    layers = {}
    for d in details:
        layers.setdefault(d["layer"].name, []).append(d)
    return list(layers.values())


def _blocks(unused: list, old_layers: list) -> list:
    """[(scope, [OLD layer])]: the unused layers grouped by the outermost scope under which every OLD
    layer is unused (a scope that also holds a used, ambiguous or mismatched layer never merges), each
    group named by its members' deepest common scope; a layer alone is its own group (its name)."""
    ids = {id(o) for o in unused}
    groups = {}  # outermost all-unused scope -> members, in OLD's order
    for layer in (o for o in old_layers if id(o) in ids):
        parts = layer.name.split("/")
        scopes = ["/".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
        scope = next((s for s in scopes if all(id(o) in ids for o in old_layers if _under(o.name, s))), None)
        # None: a used layer sits under this one's own name (scope `dense`, layer `dense/sub`)
        groups.setdefault(scope if scope is not None else ("alone", layer.name), []).append(layer)
    return [(_common_scope([o.name for o in members]), members) for members in groups.values()]


def _under(name: str, scope: str) -> bool:
    return name == scope or name.startswith(scope + "/")


def _common_scope(names: list) -> str:
    common = names[0].split("/")
    for name in names[1:]:
        parts = name.split("/")
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    return "/".join(common)


def _neighbours(first, last, mapping, old_side) -> tuple:
    """(the NEW layer OLD's paired layer before `first` became, the one after `last` became); both ""
    when a paired layer sits between them (then the span is not one place in NEW)."""
    index = {id(o): i for i, o in enumerate(old_side.layers)}
    for o in [first, last] + [o for o, _, _ in mapping.pairs]:  # a query/key/value layer (attention.py) at its first's place
        if id(o) not in index and o.info.get("members"):
            index[id(o)] = index[id(o.info["members"][0])]
    lo, hi = index[id(first)], index[id(last)]
    paired = sorted((index[id(o)], n.name) for o, n, _ in mapping.pairs if id(o) in index)
    if any(lo < i < hi for i, _ in paired):
        return "", ""
    before = [name for i, name in paired if i < lo]
    after = [name for i, name in paired if i > hi]
    return before[-1] if before else "", after[0] if after else ""


def _unused_layer(layer, mapping, old_side) -> UnusedLayer:
    """Where the layer sat in OLD's order, by the NEW layers its neighbours became."""
    return UnusedLayer(layer, *_neighbours(layer, layer, mapping, old_side), old_side.order)


def _unused_block(scope: str, members: list, mapping, old_side) -> UnusedBlock:
    return UnusedBlock(scope, tuple(members), *_neighbours(members[0], members[-1], mapping, old_side), old_side.order)


def _parts(ds: list) -> PartsWithoutSource:
    statistics = {d["role"] for d in ds} <= set(layouts.STATISTICS)
    return PartsWithoutSource(ds[0]["layer"], ds[0]["old_layer"], tuple(d["weight"] for d in ds), statistics)


def _misfit(d: dict, old_side) -> WeightMisfit:
    w, old, t = d["weight"], d["old"], d["transform"]
    misfit = WeightMisfit(w, old, layouts.describe(t), d["shape"])
    parts = old_side.partitions.get(old.key, [])
    if len(parts) > 1 and any(tuple(p) in (w.shape, w.shape[::-1]) for p in parts):
        return replace(misfit, partitions=tuple(tuple(p) for p in parts))
    if len(old.shape) == 2 and tuple(old.shape[::-1]) == w.shape and t["op"] == "identity":
        return replace(misfit, fits_transposed=True)
    if len(old.shape) == 2 and tuple(old.shape) == w.shape and t["op"] == "permute":
        return replace(misfit, fits_as_is=True)
    return misfit


def _ambiguity(d: dict) -> Ambiguity:
    if "new_candidates" in d:
        return Ambiguity(d["old_layer"], tuple(d["new_candidates"]), is_old=True)
    return Ambiguity(d["layer"], tuple(d["candidates"]), tuple(d.get("kinds", ())), fused=d.get("fused", False))
