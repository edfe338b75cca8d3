"""Rename pairing for `check`: keys the graph restores but the checkpoint lacks, paired with keys
of the checkpoint that no mode restores, so a report can print a paste-ready assignment_map."""

from __future__ import annotations

from graphlint.analysis.match import pair_renames


def pair(ctx) -> list:
    """Missing keys paired with unused checkpoint keys of the model's own (class 'other'), then
    each pair's sub-keys (optimizer slots like w/Momentum) paired the same way, so a Saver built
    from the pairing also restores a TRAIN graph."""
    missing = {}
    for mode in ctx.built_modes():
        for key, rk in ctx.snapshots[mode].restore_keys.items():
            if ctx.ckpt_key(key) not in ctx.checkpoint.entries and rk.shape is not None:
                missing.setdefault(ctx.ckpt_key(key), (tuple(rk.shape), rk.dtype))
    unused_all = {k: (ctx.checkpoint.entries[k].shape, ctx.checkpoint.entries[k].dtype) for k in ctx.unused_keys()}
    unused = {k: sig for k, sig in unused_all.items() if ctx.checkpoint.entries[k].cls == "other"}
    pairs = pair_renames(missing, unused)
    return sorted(pairs + _sub_key_pairs(pairs, missing, unused_all))


def _sub_key_pairs(pairs, missing, unused) -> list:
    taken = {m for m, _, _ in pairs} | {u for _, u, _ in pairs}
    out = []
    for m, u, score in pairs:
        for key, sig in missing.items():
            if key.startswith(m + "/") and key not in taken:
                twin = u + key[len(m):]
                if unused.get(twin) == sig and twin not in taken:
                    out.append((key, twin, score))
                    taken.update((key, twin))
    return out
