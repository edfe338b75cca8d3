"""Name matching: did-you-mean and uniquified-scope twins, without comparing every pair of names."""

from __future__ import annotations

import difflib
import re


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
    return _NUMBERED.sub("", name)


def similarity(a: str, b: str) -> float:
    """0..1 from the scope paths: shared un-numbered components, a shared tail (the leaf and its
    scopes), and, only when the leaves differ, how alike they read (biases -> bias)."""
    pa, pb = normalize(a).split("/"), normalize(b).split("/")
    tail = 0
    for x, y in zip(reversed(pa), reversed(pb)):
        if x != y:
            break
        tail += 1
    sa, sb = set(pa), set(pb)
    jaccard = len(sa & sb) / len(sa | sb)
    leaf = 1.0 if pa[-1] == pb[-1] else difflib.SequenceMatcher(None, pa[-1], pb[-1]).ratio()
    exact = 1.0 if pa == pb else 0.0
    return round(0.35 * jaccard + 0.3 * tail / max(len(pa), len(pb)) + 0.25 * leaf + 0.1 * exact, 6)


def _keys(name):
    """Index keys under which a renamed twin is likely to share a value with `name`."""
    leaf = name.rsplit("/", 1)[-1]
    rest = name.split("/", 1)[1] if "/" in name else name
    return (("n", normalize(name)), ("rest", normalize(rest)), ("leaf", normalize(leaf)))


def _candidates(ms, us, limit, informative=50):
    """Edges worth weighing. A small bucket is compared in full; a large one only through index
    keys that few names share (a leaf like 'w' shared by thousands of names says nothing)."""
    if len(ms) * len(us) <= limit:
        return [(m, u) for m in ms for u in us]
    index = {}
    for u in us:
        for k in _keys(u):
            index.setdefault(k, []).append(u)
    edges = set()
    for m in ms:
        for k in _keys(m):
            hits = index.get(k, ())
            if len(hits) <= informative:
                edges.update((m, u) for u in hits)
    return sorted(edges)


def _match(graph, exact_limit=300):
    """Maximum-weight matching per connected component; greedy (heaviest edge first) on a
    component too large for the blossom algorithm's cubic time."""
    import networkx as nx

    out = []
    for nodes in sorted(nx.connected_components(graph), key=min):
        if len(nodes) == 2:  # one edge: nothing to choose (most renames look like this)
            out.append(tuple(nodes))
            continue
        sub = graph.subgraph(nodes)
        if len(nodes) <= exact_limit:
            out.extend(nx.max_weight_matching(sub))
            continue
        used = set()
        for a, b, _ in sorted(sub.edges(data="weight"), key=lambda e: (-e[2], min(e[:2]), max(e[:2]))):
            if a not in used and b not in used:
                used.update((a, b))
                out.append((a, b))
    return out


def pair_renames(missing: dict, unused: dict, limit: int = 2500, min_score: float = 0.25) -> list:
    """Pair missing names with unused ones of equal (shape, dtype), by name similarity.

    missing, unused: {name: (shape, dtype)}. Returns sorted [(missing_name, unused_name, score)].
    Names are bucketed by (shape, dtype) first, so no two different shapes are ever compared,
    and no name is used twice. Pairs scoring below `min_score` (names with nothing in common)
    are not safe to suggest and are left out.
    """
    import networkx as nx

    buckets = {}
    for side, names in ((0, missing), (1, unused)):
        for name, sig in names.items():
            buckets.setdefault(sig, ([], []))[side].append(name)
    pairs = []
    for sig in sorted(buckets, key=repr):
        ms, us = sorted(buckets[sig][0]), sorted(buckets[sig][1])
        if not ms or not us:
            continue
        graph = nx.Graph()
        for m, u in _candidates(ms, us, limit):
            weight = similarity(m, u)
            if weight >= min_score:
                graph.add_edge(("m", m), ("u", u), weight=weight)
        for a, b in _match(graph):
            (_, m), (_, u) = (a, b) if a[0] == "m" else (b, a)
            pairs.append((m, u, round(graph[a][b]["weight"], 3)))
    return sorted(pairs)
