"""Rename pairing: which key of one side is which key of the other, exactly, or said to be unsure.

One module serves every place that prints a rename map (`ckpt diff`, `check`'s GL301 and its
assignment_map, GL310's warm-start map). A printed pair is a claim that loading A's value into B's
name is right; a wrong one turns a loud NotFoundError into silently wrong weights, so a pair is
printed only on evidence, and every key the evidence cannot place is reported as unsure, with its
candidates and no map line.

The evidence, strongest first:
1. Values (when both sides have them: ckpt diff). Tensors of one signature are compared through a
   sketch (a fixed sample of their entries, centred): a key whose sketch is identical to, or
   clearly correlated with, exactly one key of the other side, and that key's best is it too,
   pairs. Constant tensors (zeros, ones) and slots say nothing and are left out. This finds
   auto-number shifts among names present on both sides (A's `dense_1` is B's `dense_2`).
2. Structure. A rename is almost always one substitution of a scope for the whole checkpoint
   (a prefix, an inserted or removed scope, a moved subtree, a renumbered sibling): every pair of
   same-signature keys that share their leaf (after TF's synonyms, `weights` = `kernel`) proposes
   the substitution `P -> Q` that turns one into the other (the longest shared tail kept). A
   substitution's support is every key it maps onto a key of the same signature; the best
   supported (values first) is applied, then the next. Two substitutions tied for the same keys
   are told apart by their scope names only when every one of them has a strict, mutual best
   (`item_tower -> two_tower/item`, `layer_0 -> block_0`); otherwise all their keys are unsure.
   Explicit numbers are structure: a substitution that changes only a number (`layer_0 ->
   layer_3`, `dense -> dense_1`) needs values to confirm it, and so does one between unrelated
   scope names that moves a single layer.
3. Slots (`w/Adam`, `w/Adam_1`, `w/ExponentialMovingAverage`, `adam_m`: any key below another
   key) follow their variable and never pair on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from graphlint.analysis import scopes

SKETCH_SIZE = 256  # entries sampled per tensor; a tensor this small or smaller is used whole
# Values decide a pair when the best candidate's correlation is at least CORRELATED, and at least
# CHANCE_SDS standard deviations of chance (two unrelated draws of n entries correlate about
# 0 +- 1/sqrt(n)), and beats the runner-up (on both sides) by GAP: after a few hundred
# fine-tuning steps a variable still correlates 0.8-0.99 with where it started.
CORRELATED = 0.6
CHANCE_SDS = 5.0
GAP = 0.3
MIN_CORRELATED_SIZE = 32  # fewer entries than this: only an identical sketch counts
_BUCKET_VALUES_LIMIT = 4000  # keys per side above which a signature's values are not compared


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    evidence: str  # "values", "scope", "slot"
    detail: str  # for people: why this pair


@dataclass(frozen=True)
class Unsure:
    a: str
    candidates: tuple  # keys of the other side it could be
    reason: str


@dataclass
class Pairing:
    pairs: list = field(default_factory=list)  # [Pair], sorted
    unsure: list = field(default_factory=list)  # [Unsure], sorted

    def mapping(self) -> dict:
        return {p.a: p.b for p in self.pairs}


class Sketches:
    """Value sketches of one side's tensors, taken as the caller reads them (one at a time)."""

    def __init__(self):
        self._sketch = {}
        self._positions = {}

    def add(self, key: str, value) -> None:
        self._sketch[key] = self._make(value)

    def get(self, key: str):
        return self._sketch.get(key)

    def __contains__(self, key):
        return key in self._sketch

    def _make(self, value):
        """(centred unit vector, identity bytes) of a fixed sample, or None for an uninformative
        tensor (constant, non-numeric)."""
        import numpy as np

        a = np.asarray(value)
        if a.dtype.kind not in "fiub" and a.dtype.name not in ("bfloat16",):
            return None
        flat = a.reshape(-1)
        n = flat.size
        if n > SKETCH_SIZE:
            idx = self._positions.get(n)
            if idx is None:  # the same positions for every tensor of this size, on both sides
                idx = self._positions[n] = np.sort(np.random.default_rng(n).choice(n, SKETCH_SIZE, replace=False))
            flat = flat[idx]
        x = flat.astype(np.float64)
        x = x - x.mean()
        norm = float(np.sqrt(x @ x))
        if not norm or not np.isfinite(norm):
            return None
        return x / norm, n


def pair(a: dict, b: dict, *, common: Optional[dict] = None, values_a: Optional[Sketches] = None,
         values_b: Optional[Sketches] = None) -> Pairing:
    """Pair the keys of `a` with those of `b` ({name: (shape, dtype)}: the keys only one side has).

    `common`: {name: signature} of the names both sides have (ckpt diff); with values they may turn
    out to be shifted (A's x is B's y), and then they pair like the others. `values_a`/`values_b`:
    sketches of the tensors (ckpt diff), or None where a side has no values."""
    return _Pairer(a, b, common or {}, values_a, values_b).run()


class _Pairer:
    def __init__(self, a, b, common, va, vb):
        self.sig = {"a": {**common, **a}, "b": {**common, **b}}
        self.common = common
        self.va, self.vb = va, vb
        self.slots = {"a": scopes.slots(self.sig["a"]), "b": scopes.slots(self.sig["b"])}
        self.pool = {"a": {k for k in a if k not in self.slots["a"]}, "b": {k for k in b if k not in self.slots["b"]}}
        self.result = Pairing()
        self.taken = {"a": set(), "b": set()}
        self.value_pairs = {}  # a key -> (b key, how), decided by values
        self.value_partner_b = {}  # b key -> a key, the same pairs
        self.seeds = []  # the distinct substitutions the value pairs reveal (x -> y, x != y)

    def run(self) -> Pairing:
        if self.va is not None and self.vb is not None:
            self._by_values()
        self._by_structure()
        self._restore_identities()
        self._follow_slots()
        self.result.pairs.sort(key=lambda p: (p.a, p.b))
        self.result.unsure.sort(key=lambda u: u.a)
        return self.result

    # -- values -------------------------------------------------------------------------------
    def _by_values(self) -> None:
        """Mutual clear-best correlations within each signature; common names join in when their
        own two values differ (a shift), and the substitution they reveal releases their scopes."""
        side_keys = {"a": set(self.pool["a"]), "b": set(self.pool["b"])}
        for name in self.common:
            if name in self.slots["a"] or name in self.slots["b"]:
                continue
            sa, sb = self.va.get(name), self.vb.get(name)
            if sa is not None and sb is not None and not _same(sa, sb):
                side_keys["a"].add(name)
                side_keys["b"].add(name)
        for x, y, how in _value_matches(side_keys, self.sig, self.va, self.vb):
            self.value_pairs[x] = (y, how)
            self.value_partner_b[y] = x
        moved = [(x, y) for x, (y, _) in sorted(self.value_pairs.items()) if x != y]
        self.seeds = sorted({r for x, y in moved if (r := scopes.substitution(x.split("/"), y.split("/")))})
        for rule in self.seeds:  # once per substitution, however many value pairs reveal it
            self._release(rule)
        for x, y in moved:
            self._release_name("a", x)
            self._release_name("b", y)

    def _release(self, rule) -> None:
        """Common names under a substitution values revealed are no longer presumed unrenamed."""
        for name in self.common:
            if name in self.slots["a"]:
                continue
            image = scopes.apply(rule, name)
            if image is not None and self.sig["b"].get(image) == self.sig["a"].get(name):
                self._release_name("a", name)
                self._release_name("b", image)

    def _release_name(self, side, name) -> None:
        """A name moved on one side: its namesake on the other side (if common) is in question too."""
        self.pool[side].add(name)
        if name in self.common:
            self.pool["b" if side == "a" else "a"].add(name)

    # -- structure ----------------------------------------------------------------------------
    def _by_structure(self) -> None:
        maps, crowded = scopes.proposals(self.pool, self.sig, self.seeds)
        for x, (y, how) in sorted(self.value_pairs.items()):
            if x in self.pool["a"] and y in self.pool["b"]:
                self._take(x, y, "values", how)
        for x, n in crowded:
            if x not in self.taken["a"]:
                self._mark_unsure(x, (), f"{n} keys of the same shape and dtype end like it: nothing tells which")
        ranks = scopes.Ranks(maps, self)
        while True:
            group = ranks.top_group()
            if not group:
                return
            chosen, reason = scopes.resolve(group)
            for rule in chosen:
                self._apply_rule(rule, group[rule], sum(1 for other in chosen if scopes.alike(rule, other)))
            if reason:
                self._unsure_group(group, reason)
            ranks.update()

    def consistent(self, x, y) -> bool:
        """Values do not place x or y elsewhere."""
        return self.value_pairs.get(x, (y,))[0] == y and self.value_partner_b.get(y, x) == x

    def _apply_rule(self, rule, ranked, siblings) -> None:
        """Pair what `rule` maps, unless names and shapes alone cannot carry it (`siblings`: the
        rules chosen with it, one per sibling scope, which count as layers moved alike)."""
        (confirmed, support), live = ranked
        problem = None if confirmed else scopes.needs_values(rule, live, siblings)
        if problem:
            for x, y in live.items():
                self._mark_unsure(x, (y,), problem)
            return
        p, q = rule
        detail = (f"scope {scopes.shown(p)} -> {scopes.shown(q)} ({support} key{'s' if support > 1 else ''}"
                  f"{f', {confirmed} with matching values' if confirmed else ''})")
        for x, y in sorted(live.items()):
            self._take(x, y, "scope", detail)

    def _unsure_group(self, group, reason) -> None:
        candidates = {}
        for _, (_, live) in group.items():
            for x, y in live.items():
                if x not in self.taken["a"]:
                    candidates.setdefault(x, set()).add(y)
        ys = {y for c in candidates.values() for y in c}
        for x, c in candidates.items():
            self._mark_unsure(x, tuple(sorted(c)), reason)
        self.taken["b"].update(ys)

    def _mark_unsure(self, x, candidates, reason) -> None:
        self.taken["a"].add(x)
        self.taken["b"].update(candidates)
        self.result.unsure.append(Unsure(x, tuple(sorted(candidates)), reason))

    def _take(self, x, y, evidence, detail) -> None:
        self.taken["a"].add(x)
        self.taken["b"].add(y)
        if x != y:
            self.result.pairs.append(Pair(x, y, evidence, detail))

    def _restore_identities(self) -> None:
        """A common name the values released but nothing paired stays itself: not unsure."""
        self.result.unsure = [u for u in self.result.unsure if u.a not in self.common]

    def _follow_slots(self) -> None:
        pairs = list(self.result.pairs)
        bases_b = self.slots["b"]
        for p in pairs:
            for slot, (base, suffix) in sorted(self.slots["a"].items()):
                if base != p.a:
                    continue
                twin = p.b + suffix
                if bases_b.get(twin, (None,))[0] == p.b and self.sig["b"].get(twin) == self.sig["a"][slot]:
                    self.result.pairs.append(Pair(slot, twin, "slot", f"slot of {p.a} -> {p.b}"))


def _same(sa, sb) -> bool:
    """The two sketches agree entry for entry (the same tensor, as far as the sample shows)."""
    import numpy as np

    return sa[1] == sb[1] and bool(np.allclose(sa[0], sb[0], rtol=0, atol=1e-12))


def _value_matches(side_keys, sig, va, vb):
    """[(a key, b key, how)]: mutual clear-best correlations, per signature."""
    import numpy as np

    buckets = {}
    for side, sketches in (("a", va), ("b", vb)):
        for key in side_keys[side]:
            s = sketches.get(key)
            if s is not None:
                buckets.setdefault(sig[side][key], ({}, {}))[side == "b"][key] = s
    out = []
    for signature in sorted(buckets, key=repr):
        xs, ys = buckets[signature]
        if not xs or not ys or max(len(xs), len(ys)) > _BUCKET_VALUES_LIMIT:
            continue
        ka, kb = sorted(xs), sorted(ys)
        c = np.array([xs[k][0] for k in ka]) @ np.array([ys[k][0] for k in kb]).T
        size = xs[ka[0]][1]
        floor = max(CORRELATED, CHANCE_SDS / min(size, SKETCH_SIZE) ** 0.5)
        for i, j in _mutual_best(c, floor):
            if size < MIN_CORRELATED_SIZE and not _same(xs[ka[i]], ys[kb[j]]):
                continue  # a few entries correlate by chance
            out.append((ka[i], kb[j], f"values correlate {min(c[i, j], 1.0):.2f}"))
    return out


def _mutual_best(c, floor):
    """[(i, j)]: row i's best column is j and j's best row is i, each at least `floor` and clearly
    ahead of the runner-up (GAP)."""
    import numpy as np

    out = []
    for i in range(c.shape[0]):
        j = int(np.argmax(c[i]))
        best = c[i, j]
        if best < floor or int(np.argmax(c[:, j])) != i:
            continue
        row = np.delete(c[i], j)
        col = np.delete(c[:, j], i)
        if (row.size and best - row.max() < GAP) or (col.size and best - col.max() < GAP):
            continue
        out.append((i, j))
    return out
