"""Name matching: did-you-mean and uniquified-scope twins, without comparing every pair of names."""

from __future__ import annotations

import difflib


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


