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

import re
from dataclasses import dataclass, field
from typing import Optional

# Leaf names TensorFlow's own APIs give the same variable: tf.contrib/slim layers wrote
# weights/biases where tf.layers and Keras write kernel/bias; Sonnet 2 and tf.nn's batch norm
# call gamma/beta scale/offset.
SYNONYMS = {"weights": "kernel", "biases": "bias", "scale": "gamma", "offset": "beta"}
SKETCH_SIZE = 256  # entries sampled per tensor; a tensor this small or smaller is used whole
# Values decide a pair when the best candidate's correlation is at least CORRELATED, and at least
# CHANCE_SDS standard deviations of chance (two unrelated draws of n entries correlate about
# 0 +- 1/sqrt(n)), and beats the runner-up (on both sides) by GAP: after a few hundred
# fine-tuning steps a variable still correlates 0.8-0.99 with where it started.
CORRELATED = 0.6
CHANCE_SDS = 5.0
GAP = 0.3
MIN_CORRELATED_SIZE = 32
# Variables that must agree in relative name and shape under two unrelated scope names (one
# layer's kernel and bias are not enough: every dense layer has them).
MIN_UNRELATED_SUPPORT = 3  # fewer entries than this: only an identical sketch counts
_BUCKET_VALUES_LIMIT = 4000  # keys per side above which a signature's values are not compared
MAX_CANDIDATES = 64  # keys of B sharing a key's longest tail past which that tail says nothing
_TOKEN = re.compile(r"[A-Za-z]+|\d+")


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
        self.slots = {"a": _slots(self.sig["a"]), "b": _slots(self.sig["b"])}
        self.pool = {"a": {k for k in a if k not in self.slots["a"]}, "b": {k for k in b if k not in self.slots["b"]}}
        self.result = Pairing()
        self.taken = {"a": set(), "b": set()}
        self.value_pairs = {}  # a key -> (b key, how), decided by values
        self.value_partner_b = {}  # b key -> a key, the same pairs

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
        for x, (y, _) in self.value_pairs.items():
            if x != y:
                self._release(x, y)

    def _release(self, x, y) -> None:
        """Common names under the substitution x -> y reveals are no longer presumed unrenamed."""
        rule = _rule(x.split("/"), y.split("/"))
        if rule is None:
            self._release_name("a", x)
            self._release_name("b", y)
            return
        for name in self.common:
            if name in self.slots["a"]:
                continue
            image = _apply(rule, name)
            if image is not None and self.sig["b"].get(image) == self.sig["a"].get(name):
                self._release_name("a", name)
                self._release_name("b", image)
        self._release_name("a", x)
        self._release_name("b", y)

    def _release_name(self, side, name) -> None:
        """A name moved on one side: its namesake on the other side (if common) is in question too."""
        self.pool[side].add(name)
        if name in self.common:
            self.pool["b" if side == "a" else "a"].add(name)

    # -- structure ----------------------------------------------------------------------------
    def _by_structure(self) -> None:
        seeds = sorted({r for x, (y, _) in self.value_pairs.items() if x != y and (r := _rule(x.split("/"), y.split("/")))})
        maps, crowded = _rules(self.pool, self.sig, seeds)
        for x, (y, how) in sorted(self.value_pairs.items()):
            if x in self.pool["a"] and y in self.pool["b"]:
                self._take(x, y, "values", how)
        for x, n in crowded:
            if x not in self.taken["a"]:
                self._mark_unsure(x, (), f"{n} keys of the same shape and dtype end like it: nothing tells which")
        ranks = _Ranks(maps, self)
        while True:
            group = ranks.top_group()
            if not group:
                return
            chosen, reason = _resolve(group)
            for rule in chosen:
                self._apply_rule(rule, group[rule], sum(1 for other in chosen if _alike(rule, other)))
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
        problem = None if confirmed else _needs_values(rule, live, siblings)
        if problem:
            for x, y in live.items():
                self._mark_unsure(x, (y,), problem)
            return
        p, q = rule
        detail = (f"scope {_shown(p)} -> {_shown(q)} ({support} key{'s' if support > 1 else ''}"
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


def _slots(sig) -> dict:
    """{slot key: (base key, suffix)}: keys below another key of the same side (optimizer slots,
    EMA shadows), the base being the outermost such key."""
    out = {}
    for key in sig:
        parts = key.split("/")
        for i in range(1, len(parts)):
            base = "/".join(parts[:i])
            if base in sig:
                out[key] = (base, key[len(base):])
                break
    return out


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


def _canon(parts):
    return parts[:-1] + [SYNONYMS.get(parts[-1], parts[-1])]


def _rule(x, y):
    """(P, Q): the substitution of x's leading scopes by y's that turns x into y, the longest
    shared tail kept (the leaves compared as synonyms); None when the leaves differ."""
    cx, cy = _canon(x), _canon(y)
    tail = 0
    while tail < min(len(x), len(y)) and cx[-1 - tail] == cy[-1 - tail]:
        tail += 1
    if not tail:
        return None
    return "/".join(x[:len(x) - tail]), "/".join(y[:len(y) - tail])


def _apply(rule, name):
    """The name `rule` gives `name` (the leaf kept as written), or None when it does not apply."""
    p, q = rule
    if p and not name.startswith(p + "/"):
        return None
    rest = name[len(p) + 1:] if p else name
    return f"{q}/{rest}" if q else rest


def _rules(pool, sig, seeds=()) -> tuple:
    """({rule: {a key: b key}}, [(a key, n)]): the substitutions each key of A proposes with the
    keys of B that share its longest tail (same signature; the true twin keeps everything below
    the renamed scope), and those `seeds` (substitutions values revealed) map onto B; a key with
    more than MAX_CANDIDATES equally good candidates proposes nothing (the second list)."""
    index = {}
    for key in pool["b"]:
        parts = key.split("/")
        canon = _canon(parts)
        for t in range(1, len(parts) + 1):
            index.setdefault((sig["b"][key], tuple(canon[-t:])), []).append(key)
    maps, crowded = {}, []
    for key in sorted(pool["a"]):
        parts = key.split("/")
        canon = _canon(parts)
        ys = next((index[k] for t in range(len(parts), 0, -1)
                   if (k := (sig["a"][key], tuple(canon[-t:]))) in index), ())
        if len(ys) > MAX_CANDIDATES:
            crowded.append((key, len(ys)))
            continue
        for y in ys:
            maps.setdefault(_rule(parts, y.split("/")), {})[key] = y
    for rule in seeds:
        for key in pool["a"]:
            image = _apply(rule, key)
            if image in pool["b"] and sig["b"][image] == sig["a"][key]:
                maps.setdefault(rule, {})[key] = image
    return maps, crowded


class _Ranks:
    """Each substitution's open pairs and rank (values confirming it, pairs it still makes), kept
    current as pairs are taken: only the substitutions that share a taken key are re-ranked."""

    def __init__(self, maps, pairer):
        import heapq

        self.pairer = pairer
        self.confirmed = {r: sum(1 for x, y in m.items() if pairer.value_pairs.get(x, (None,))[0] == y)
                          for r, m in maps.items()}
        self.live = {r: {x: y for x, y in m.items() if pairer.consistent(x, y)} for r, m in maps.items()}
        self.by_a, self.by_b = {}, {}
        for r, m in self.live.items():
            for x, y in m.items():
                self.by_a.setdefault(x, set()).add(r)
                self.by_b.setdefault(y, set()).add(r)
        self.heap = []
        self.last = []
        self.seen = {"a": set(), "b": set()}
        self._drop_taken(set(pairer.taken["a"]), set(pairer.taken["b"]))
        for r in self.live:
            self._push(r)
        heapq.heapify(self.heap)

    def rank(self, r):
        return self.confirmed[r], len(self.live[r])

    def _push(self, r):
        import heapq

        if self.live[r]:
            heapq.heappush(self.heap, (-self.confirmed[r], -len(self.live[r]), r))

    def _pop_valid(self):
        import heapq

        while self.heap:
            c, n, r = heapq.heappop(self.heap)
            if self.live[r] and (-c, -n) == self.rank(r):
                return r
        return None

    def top_group(self) -> dict:
        """{rule: (rank, live pairs)}: the best-ranked rule and every rule of the same rank that
        competes with it for a key, directly or through another such rule."""
        import heapq

        first = self._pop_valid()
        if first is None:
            return {}
        best = self.rank(first)
        top = [first]
        while self.heap and (-self.heap[0][0], -self.heap[0][1]) == best:
            r = self._pop_valid()
            if r is None:
                break
            if self.rank(r) == best:
                top.append(r)
            else:
                self._push(r)
        top.sort()
        group = {top[0]}
        keys_a, keys_b = set(self.live[top[0]]), set(self.live[top[0]].values())
        grew = True
        while grew:
            grew = False
            for r in top:
                if r not in group and (keys_a & self.live[r].keys() or keys_b & set(self.live[r].values())):
                    group.add(r)
                    keys_a |= self.live[r].keys()
                    keys_b |= set(self.live[r].values())
                    grew = True
        for r in top:
            if r not in group:
                heapq.heappush(self.heap, (-best[0], -best[1], r))
        self.last = sorted(group)
        return {r: (self.rank(r), dict(self.live[r])) for r in self.last}

    def update(self) -> None:
        """Re-rank what the last decisions touched (every rule of the last group is now spent)."""
        taken_a = self.pairer.taken["a"] - self.seen["a"]
        taken_b = self.pairer.taken["b"] - self.seen["b"]
        for r in self._drop_taken(taken_a, taken_b) | set(self.last):
            self._push(r)

    def _drop_taken(self, taken_a, taken_b) -> set:
        self.seen["a"] |= taken_a
        self.seen["b"] |= taken_b
        touched = set()
        for x in taken_a:
            for r in self.by_a.get(x, ()):
                if self.live[r].pop(x, None) is not None:
                    touched.add(r)
        for y in taken_b:
            for r in self.by_b.get(y, ()):
                live = self.live[r]
                for x in [x for x, yy in live.items() if yy == y]:
                    del live[x]
                    touched.add(r)
        return touched


def _resolve(group):
    """([rules to apply], reason the rest are unsure or None). One rule: itself. Several: each
    P and each Q must have a strict, mutual best by scope-name likeness, or none is applied."""
    if len(group) == 1:
        return list(group), None
    ps = {p for p, _ in group}
    qs = {q for _, q in group}
    like = {rule: _likeness(*rule) for rule in group}
    best_q = {p: _strict_best([(like[r], r[1]) for r in group if r[0] == p]) for p in ps}
    best_p = {q: _strict_best([(like[r], r[0]) for r in group if r[1] == q]) for q in qs}
    chosen = [(p, q) for p, q in group if best_q[p] == q and best_p[q] == p]
    if all(best_q[p] is not None for p in ps) and all(best_p[q] is not None for q in qs) \
            and len(chosen) == len(ps) == len(qs):
        return chosen, None
    return [], "the same shapes under several scopes, and nothing tells which is which"


def _alike(r1, r2) -> bool:
    """Two substitutions are one written per sibling (`layer_0 -> block_0`, `layer_1 -> block_1`):
    the same words change, and each keeps its own numbers."""
    def shape(rule):
        wa, wb = _window(*rule)
        ta, tb = _tokens(wa), _tokens(wb)
        numbers = [t for t in ta if t.isdigit()]
        if numbers != [t for t in tb if t.isdigit()]:
            return None
        return [t for t in ta if not t.isdigit()], [t for t in tb if not t.isdigit()]
    s1 = shape(r1)
    return s1 is not None and s1 == shape(r2)


def _strict_best(scored):
    scored = sorted(scored, reverse=True)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return scored[0][1]


def _window(p, q):
    """The components of P and Q that differ (their shared leading scopes dropped)."""
    a, b = p.split("/") if p else [], q.split("/") if q else []
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return a[i:], b[i:]


def _tokens(parts):
    return [t.lower() for part in parts for t in _TOKEN.findall(part)]


def _likeness(p, q) -> float:
    """How alike two scope paths read: shared name tokens (numbers included), over all."""
    ta, tb = _tokens(_window(p, q)[0]), _tokens(_window(p, q)[1])
    if not ta and not tb:
        return 1.0
    shared = len(set(ta) & set(tb))
    return shared / len(set(ta) | set(tb))


def _needs_values(rule, live, siblings=1) -> Optional[str]:
    """Why a substitution cannot be trusted on names and shapes alone, or None. Several layers or
    variables that agree in relative path and shape (or sibling scopes renamed alike) are
    evidence; one layer's kernel and bias are, only when the two scope names are visibly one name
    (`encoder` -> `encoder_v2`)."""
    p, q = rule
    wa, wb = _window(p, q)
    words_a = [t for t in _tokens(wa) if not t.isdigit()]
    words_b = [t for t in _tokens(wb) if not t.isdigit()]
    if wa and wb and words_a == words_b:
        return f"only the number differs ({_shown(p)} -> {_shown(q)}): values would have to say which is which"
    layers = {x.rsplit("/", 1)[0] for x in live}
    if len(layers) > 1 or siblings > 1 or len(live) >= MIN_UNRELATED_SUPPORT:
        return None
    depth = min(x.count("/") - (p.count("/") + 1 if p else 0) for x in live)
    if (not wa or not wb) and depth >= 1:
        return None  # a scope inserted or removed above a layer whose own path is unchanged
    if wa and wb and _related(wa, wb):
        return None
    return (f"{_shown(p)} and {_shown(q)} are not visibly one name, and only {len(live)} variable"
            f"{'s' if len(live) > 1 else ''} of one layer agree under both: values would have to say it is the same layer")


def _related(wa, wb) -> bool:
    """One name written two ways: the same numbers (or none on one side), and one contains the
    other (`enc`, `encoder_v2`), or the same words regrouped (`item_tower`, `two_tower/item`), or
    nearly the same spelling."""
    import difflib

    na = [t for t in _tokens(wa) if t.isdigit()]
    nb = [t for t in _tokens(wb) if t.isdigit()]
    if na and nb and na != nb:
        return False
    a, b = "/".join(wa).lower(), "/".join(wb).lower()
    if a in b or b in a:
        return True
    ta = {t for t in _tokens(wa) if not t.isdigit()}
    tb = {t for t in _tokens(wb) if not t.isdigit()}
    if ta and tb and (ta <= tb or tb <= ta):
        return True
    return len(wa) == len(wb) and difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


def _shown(scope: str) -> str:
    return f"'{scope}'" if scope else "the root"
