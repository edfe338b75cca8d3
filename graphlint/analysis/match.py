"""Name matching: did-you-mean, uniquified-scope twins, and how alike two names read. (Rename
pairing, which prints maps, is analysis/pairing.py.)"""

from __future__ import annotations

import re

from graphlint.analysis.scopes import SYNONYMS


_MAX_CANDIDATES = 2000


def uniquified_twins(fetch: str, renames, ops) -> list:
    """[(rename, twin_name)] where swapping a renamed scope for its new name makes `fetch` exist."""
    op_name, _, port = fetch.partition(":")
    out = []
    for rename in renames:
        req = rename.requested
        if op_name == req or op_name.startswith(req + "/"):
            twin = rename.got + op_name[len(req):]
            if twin in ops:
                out.append((rename, twin + (":" + port if port else "")))
    return out


def did_you_mean(name: str, names, cutoff: float = 0.75):
    """The closest existing name: first among names with the same last component, then same top scope."""
    import difflib

    leaf = name.rsplit("/", 1)[-1]
    top = name.split("/", 1)[0]
    same_leaf, same_top = [], []
    for candidate in names:
        if candidate.rsplit("/", 1)[-1] == leaf:
            same_leaf.append(candidate)
        elif candidate.split("/", 1)[0] == top and len(same_top) < _MAX_CANDIDATES:
            same_top.append(candidate)
    for pool in (same_leaf, same_top):
        best = difflib.get_close_matches(name, sorted(pool)[:_MAX_CANDIDATES], n=1, cutoff=cutoff)
        if best:
            return best[0]
    return None


_NUMBERED = re.compile(r"_\d+(?=/|$)")



def normalize(name: str) -> str:
    """A name with TF's uniquifier suffixes removed: Variable_3 -> Variable, dense_2/kernel -> dense/kernel."""
    return _NUMBERED.sub("", name) if "_" in name else name


def similarity(a: str, b: str) -> float:
    """0..1 from the scope paths: shared un-numbered components, a shared tail (the leaf and its
    scopes), and, only when the leaves differ, how alike they read (biases -> bias; the leaf
    names TF's APIs use for the same variable, weights -> kernel, count as alike)."""
    pa = normalize(a).split("/")
    return _score(pa, set(pa), normalize(b).split("/"), {})


def _score(pa, sa, pb, ratios) -> float:
    """similarity() of two normalized, split names (`sa`: the set of `pa`); `ratios` caches how
    alike two different leaves read."""
    tail = 0
    for x, y in zip(reversed(pa), reversed(pb)):
        if x != y:
            break
        tail += 1
    sb = set(pb)
    shared = len(sa & sb)
    jaccard = shared / (len(sa) + len(sb) - shared)
    if tail:
        leaf = 1.0
    else:
        key = (pa[-1], pb[-1])
        leaf = ratios.get(key)
        if leaf is None:
            leaf = ratios[key] = _leaf_ratio(*key)
    exact = 1.0 if tail == len(pa) == len(pb) else 0.0
    return round(0.35 * jaccard + 0.3 * tail / max(len(pa), len(pb)) + 0.25 * leaf + 0.1 * exact, 6)


def _leaf_ratio(a: str, b: str) -> float:
    if SYNONYMS.get(a, a) == SYNONYMS.get(b, b):
        return 1.0
    import difflib

    return difflib.SequenceMatcher(None, a, b).ratio()
