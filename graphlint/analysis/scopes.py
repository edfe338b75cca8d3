"""The structural evidence of a rename: substitutions of scopes (P -> Q, the longest shared tail
kept) that keys of one side propose with the keys of the other, how they are ranked and told
apart, and when names and shapes alone cannot carry one (analysis/pairing.py decides with them)."""

from __future__ import annotations

import re
from typing import Optional

# Leaf names TensorFlow's own APIs give the same variable: tf.contrib/slim layers wrote
# weights/biases where tf.layers and Keras write kernel/bias; Sonnet 2 and tf.nn's batch norm
# call gamma/beta scale/offset.
SYNONYMS = {"weights": "kernel", "biases": "bias", "scale": "gamma", "offset": "beta"}
MAX_CANDIDATES = 64  # keys of B sharing a key's longest tail past which that tail says nothing
# Variables that must agree in relative name and shape under two unrelated scope names (one
# layer's kernel and bias are not enough: every dense layer has them).
MIN_UNRELATED_SUPPORT = 3
_TOKEN = re.compile(r"[A-Za-z]+|\d+")


def slots(sig) -> dict:
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


def canon(parts):
    return parts[:-1] + [SYNONYMS.get(parts[-1], parts[-1])]


def substitution(x, y):
    """(P, Q): the substitution of x's leading scopes by y's that turns x into y, the longest
    shared tail kept (the leaves compared as synonyms); None when the leaves differ."""
    cx, cy = canon(x), canon(y)
    tail = 0
    while tail < min(len(x), len(y)) and cx[-1 - tail] == cy[-1 - tail]:
        tail += 1
    if not tail:
        return None
    return "/".join(x[:len(x) - tail]), "/".join(y[:len(y) - tail])


def apply(rule, name):
    """The name `rule` gives `name` (the leaf kept as written), or None when it does not apply."""
    p, q = rule
    if p and not name.startswith(p + "/"):
        return None
    rest = name[len(p) + 1:] if p else name
    return f"{q}/{rest}" if q else rest


def proposals(pool, sig, seeds=()) -> tuple:
    """({rule: {a key: b key}}, [(a key, n)]): the substitutions each key of A proposes with the
    keys of B that share its longest tail (same signature; the true twin keeps everything below
    the renamed scope), and those `seeds` (substitutions values revealed) map onto B; a key with
    more than MAX_CANDIDATES equally good candidates proposes nothing (the second list)."""
    index = {}
    for key in pool["b"]:
        parts = key.split("/")
        leaf_canon = canon(parts)
        for t in range(1, len(parts) + 1):
            index.setdefault((sig["b"][key], tuple(leaf_canon[-t:])), []).append(key)
    maps, crowded = {}, []
    for key in sorted(pool["a"]):
        parts = key.split("/")
        leaf_canon = canon(parts)
        ys = next((index[k] for t in range(len(parts), 0, -1)
                   if (k := (sig["a"][key], tuple(leaf_canon[-t:]))) in index), ())
        if len(ys) > MAX_CANDIDATES:
            crowded.append((key, len(ys)))
            continue
        for y in ys:
            maps.setdefault(substitution(parts, y.split("/")), {})[key] = y
    for rule in seeds:
        for key in pool["a"]:
            image = apply(rule, key)
            if image in pool["b"] and sig["b"][image] == sig["a"][key]:
                maps.setdefault(rule, {})[key] = image
    return maps, crowded


class Ranks:
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


def resolve(group):
    """([rules to apply], reason the rest are unsure or None). One rule: itself. Several: each
    P and each Q must have a strict, mutual best by scope-name likeness, or none is applied."""
    if len(group) == 1:
        return list(group), None
    ps = {p for p, _ in group}
    qs = {q for _, q in group}
    like = {rule: likeness(*rule) for rule in group}
    best_q = {p: strict_best([(like[r], r[1]) for r in group if r[0] == p]) for p in ps}
    best_p = {q: strict_best([(like[r], r[0]) for r in group if r[1] == q]) for q in qs}
    chosen = [(p, q) for p, q in group if best_q[p] == q and best_p[q] == p]
    if all(best_q[p] is not None for p in ps) and all(best_p[q] is not None for q in qs) \
            and len(chosen) == len(ps) == len(qs):
        return chosen, None
    return [], "the same shapes under several scopes, and nothing tells which is which"


def alike(r1, r2) -> bool:
    """Two substitutions are one written per sibling (`layer_0 -> block_0`, `layer_1 -> block_1`):
    the same words change, and each keeps its own numbers."""
    def shape(rule):
        wa, wb = window(*rule)
        ta, tb = tokens(wa), tokens(wb)
        numbers = [t for t in ta if t.isdigit()]
        if numbers != [t for t in tb if t.isdigit()]:
            return None
        return [t for t in ta if not t.isdigit()], [t for t in tb if not t.isdigit()]
    s1 = shape(r1)
    return s1 is not None and s1 == shape(r2)


def strict_best(scored):
    scored = sorted(scored, reverse=True)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return scored[0][1]


def window(p, q):
    """The components of P and Q that differ (their shared leading scopes dropped)."""
    a, b = p.split("/") if p else [], q.split("/") if q else []
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    return a[i:], b[i:]


def tokens(parts):
    return [t.lower() for part in parts for t in _TOKEN.findall(part)]


def likeness(p, q) -> float:
    """How alike two scope paths read: shared name tokens (numbers included), over all."""
    ta, tb = tokens(window(p, q)[0]), tokens(window(p, q)[1])
    if not ta and not tb:
        return 1.0
    shared = len(set(ta) & set(tb))
    return shared / len(set(ta) | set(tb))


def needs_values(rule, live, siblings=1) -> Optional[str]:
    """Why a substitution cannot be trusted on names and shapes alone, or None. Several layers or
    variables that agree in relative path and shape (or sibling scopes renamed alike) are
    evidence; one layer's kernel and bias are, only when the two scope names are visibly one name
    (`encoder` -> `encoder_v2`)."""
    p, q = rule
    wa, wb = window(p, q)
    words_a = [t for t in tokens(wa) if not t.isdigit()]
    words_b = [t for t in tokens(wb) if not t.isdigit()]
    if wa and wb and words_a == words_b:
        return f"only the number differs ({shown(p)} -> {shown(q)}): values would have to say which is which"
    layers = {x.rsplit("/", 1)[0] for x in live}
    if len(layers) > 1 or siblings > 1 or len(live) >= MIN_UNRELATED_SUPPORT:
        return None
    depth = min(x.count("/") - (p.count("/") + 1 if p else 0) for x in live)
    if (not wa or not wb) and depth >= 1:
        return None  # a scope inserted or removed above a layer whose own path is unchanged
    if wa and wb and related(wa, wb):
        return None
    return (f"{shown(p)} and {shown(q)} are not visibly one name, and only {len(live)} variable"
            f"{'s' if len(live) > 1 else ''} of one layer agree under both: values would have to say it is the same layer")


def related(wa, wb) -> bool:
    """One name written two ways: the same numbers (or none on one side), and one contains the
    other (`enc`, `encoder_v2`), or the same words regrouped (`item_tower`, `two_tower/item`), or
    nearly the same spelling."""
    import difflib

    na = [t for t in tokens(wa) if t.isdigit()]
    nb = [t for t in tokens(wb) if t.isdigit()]
    if na and nb and na != nb:
        return False
    a, b = "/".join(wa).lower(), "/".join(wb).lower()
    if a in b or b in a:
        return True
    ta = {t for t in tokens(wa) if not t.isdigit()}
    tb = {t for t in tokens(wb) if not t.isdigit()}
    if ta and tb and (ta <= tb or tb <= ta):
        return True
    return len(wa) == len(wb) and difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


def shown(scope: str) -> str:
    return f"'{scope}'" if scope else "the root"
