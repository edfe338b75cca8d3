"""Name matching: did-you-mean and uniquified-scope twins, without comparing every pair of names."""

from __future__ import annotations

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

# Leaf names TensorFlow's own APIs give the same variable: tf.contrib/slim layers wrote
# weights/biases where tf.layers and Keras write kernel/bias; Sonnet 2 and tf.nn's batch norm
# call gamma/beta scale/offset. Only the leaf term of `similarity` treats them as equal.
_SYNONYMS = {"weights": "kernel", "biases": "bias", "scale": "gamma", "offset": "beta"}


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
    if _SYNONYMS.get(a, a) == _SYNONYMS.get(b, b):
        return 1.0
    import difflib

    return difflib.SequenceMatcher(None, a, b).ratio()


def _keys(norm):
    """Index keys under which a renamed twin is likely to share a value with a name (`norm`: the
    name normalized): the whole name, the name below its top scope (the top scope renamed), its
    leaf, and its scope (the leaf renamed)."""
    cut = norm.rfind("/")
    if cut < 0:
        return norm, norm, norm
    return norm, norm[norm.find("/") + 1:], norm[cut + 1:], norm[:cut]


def _candidates(ms, us, norms, limit, informative=50):
    """[(m, [u, ...])], both sorted: the pairs worth weighing (`norms`: {name: normalize(name)}).
    A small bucket is compared in full; a large one only through index keys that few names
    share (a leaf like 'w' shared by thousands of names says nothing)."""
    if len(ms) * len(us) <= limit:
        return [(m, us) for m in ms]
    indexes = ({}, {}, {}, {})  # one per kind of key; a key's value: one name, or a list of them
    for u in us:
        for index, key in zip(indexes, _keys(norms[u])):
            hits = index.get(key)
            if hits is None:
                index[key] = u
            elif isinstance(hits, list):
                hits.append(u)
            else:
                index[key] = [hits, u]
    out = []
    for m in ms:
        found = []
        for index, key in zip(indexes, _keys(norms[m])):
            hits = index.get(key)
            if hits is None:
                continue
            if not isinstance(hits, list):
                found.append(hits)
            elif len(hits) <= informative:
                found.extend(hits)
        if found:
            out.append((m, sorted(set(found)) if len(found) > 1 else found))
    return out


def _match(edges, exact_limit=300) -> list:
    """[(m, u, weight)] from [(m, u, weight)] (each (m, u) once): maximum-weight matching per
    connected component; greedy (heaviest edge first) on a component too large for the blossom
    algorithm's cubic time. A component of one edge (most renames) needs no matching at all."""
    degree_m, degree_u = {}, {}
    for m, u, _ in edges:
        degree_m[m] = degree_m.get(m, 0) + 1
        degree_u[u] = degree_u.get(u, 0) + 1
    out, rest = [], []
    for edge in edges:
        (out if degree_m[edge[0]] == 1 and degree_u[edge[1]] == 1 else rest).append(edge)
    if not rest:
        return out
    import networkx as nx

    groups = nx.utils.UnionFind()
    for m, u, _ in rest:
        groups.union(("m", m), ("u", u))
    components = {}
    for edge in rest:  # each component's edges in the order given, so the matching is deterministic
        components.setdefault(groups[("m", edge[0])], []).append(edge)
    for comp in components.values():
        nodes = len({m for m, _, _ in comp}) + len({u for _, u, _ in comp})
        if nodes <= exact_limit:
            graph = nx.Graph()
            for m, u, w in comp:
                graph.add_edge(("m", m), ("u", u), weight=w)
            for a, b in nx.max_weight_matching(graph):
                (_, m), (_, u) = (a, b) if a[0] == "m" else (b, a)
                out.append((m, u, graph[a][b]["weight"]))
            continue
        used_m, used_u = set(), set()
        for m, u, w in sorted(comp, key=lambda e: (-e[2], e[0], e[1])):
            if m not in used_m and u not in used_u:
                used_m.add(m)
                used_u.add(u)
                out.append((m, u, w))
    return out


def pair_renames(missing: dict, unused: dict, limit: int = 2500, min_score: float = 0.25) -> list:
    """Pair missing names with unused ones of equal (shape, dtype), by name similarity.

    missing, unused: {name: (shape, dtype)}. Returns sorted [(missing_name, unused_name, score)].
    Names are bucketed by (shape, dtype) first, so no two different shapes are ever compared,
    and no name is used twice. Pairs scoring below `min_score` (names with nothing in common)
    are not safe to suggest and are left out. Ties are broken the same way on every run.
    """
    buckets = {}
    for side, names in ((0, missing), (1, unused)):
        for name, sig in names.items():
            buckets.setdefault(sig, ([], []))[side].append(name)
    ratios, pairs = {}, []
    for sig in sorted(buckets, key=repr):
        ms, us = buckets[sig]
        if not ms or not us:
            continue
        ms.sort()
        us.sort()
        norms = {n: normalize(n) for n in (*ms, *us)}
        edges = []
        for m, candidates in _candidates(ms, us, norms, limit):
            pa = norms[m].split("/")
            sa = set(pa)
            for u in candidates:
                weight = _score(pa, sa, norms[u].split("/"), ratios)
                if weight >= min_score:
                    edges.append((m, u, weight))
        pairs.extend((m, u, round(w, 3)) for m, u, w in _match(edges))
    return sorted(pairs)
