"""Rename pairing for `check`: keys the graph restores but the checkpoint lacks, paired with keys
of the checkpoint that no mode restores (analysis/pairing.py: exact, or unsure), so a report can
print a paste-ready assignment_map."""

from __future__ import annotations

from graphlint.analysis import pairing


def pair(ctx) -> pairing.Pairing:
    """Missing keys paired with the unused checkpoint keys of the model's own variables (class
    'other') and the slots below them (w/Momentum follows w), so a Saver built from the pairing
    also restores a TRAIN graph. The graph has no values: names and shapes are the evidence."""
    missing = {}
    for mode in ctx.built_modes():
        for key, rk in ctx.snapshots[mode].restore_keys.items():
            if ctx.ckpt_key(key) not in ctx.checkpoint.entries and rk.shape is not None:
                missing.setdefault(ctx.ckpt_key(key), (tuple(rk.shape), rk.dtype))
    entries = ctx.checkpoint.entries
    unused = {k: (entries[k].shape, entries[k].dtype) for k in ctx.unused_keys()}
    own = {k for k in unused if entries[k].cls == "other"}
    eligible = {k: sig for k, sig in unused.items() if k in own or _below_any(k, own)}
    return pairing.pair(missing, eligible)


def _below_any(key: str, scopes: set) -> bool:
    parts = key.split("/")
    return any("/".join(parts[:i]) in scopes for i in range(1, len(parts)))
