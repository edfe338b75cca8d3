"""One finding per cause: what the rules share to group the names one cause touches (the same
`if`, the same Saver over an EMA, the same differing param), and to find the user's line that
made a mode differ when the names are created in a shared helper."""

from __future__ import annotations

from collections import defaultdict

from graphlint.model.sites import differing_frame
from graphlint.model.source import enclosing_if

SHOWN = 3  # names a message spells out; the finding's `names` keeps them all


def listing(names) -> str:
    """'a', 'b', 'c' and 21 more."""
    shown = ", ".join(f"'{n}'" for n in names[:SHOWN])
    return shown + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")


def beside_writer(modes) -> frozenset:
    """The modes of a between-modes finding that differ from TRAIN, which writes the checkpoint:
    what it explains of a checkpoint rule's findings (TRAIN's own mismatch with a checkpoint is
    another cause)."""
    return frozenset(m for m in modes if m != "train") if len(modes) > 1 else frozenset(modes)


def checkpoint_lacks(ctx, keys) -> str:
    """', and the checkpoint <prefix> does not have them' when `check` was given one that lacks them
    (the finding then stands for GL301's too); '' otherwise."""
    if ctx.checkpoint is None:
        return ""
    lacking = [k for k in keys if ctx.ckpt_key(k) not in ctx.checkpoint.entries]
    if not lacking:
        return ""
    which = "it" if len(keys) == 1 else ("them" if len(lacking) == len(keys) else f"{listing(lacking)}")
    return f" (the checkpoint {ctx.checkpoint.prefix} does not have {which} either)"


def slot_owners(keys) -> dict:
    """{key: the key of `keys` it is saved under}: an optimizer slot or moving average,
    `<var>/Adam`, whose `<var>` is in `keys` too, rides with its variable's finding."""
    out = {}
    for key in keys:
        parent = key.rsplit("/", 1)[0] if "/" in key else ""
        while parent and parent not in keys:
            parent = parent.rsplit("/", 1)[0] if "/" in parent else ""
        if parent:
            out[key] = parent
    return out


def by_cause(items, cause) -> list:
    """[(cause, [item, ...])] in the order of each group's first item; `cause(item)` is a hashable
    key, or None for an item with no known cause, which stays alone."""
    groups = defaultdict(list)
    for i, item in enumerate(items):
        key = cause(item)
        groups[("alone", i) if key is None else ("cause", key)].append(item)
    return [(k[1] if k[0] == "cause" else None, v) for k, v in groups.items()]


def _mode_lines(ctx, mode) -> frozenset:
    key = ("user_lines", mode)
    if key not in ctx.memo:
        view = ctx.views.get(mode)
        ctx.memo[key] = view.user_lines() if view is not None else frozenset()
    return ctx.memo[key]


def cause_sites(ctx, mode, names, other_modes) -> dict:
    """{name: the user line that built it in `mode`}: the outermost frame of its creation stack
    that never ran in `other_modes` (the call under the `if`, not the shared helper it reaches),
    else the innermost user frame, as ctx.site gives."""
    view = ctx.views.get(mode)
    names = sorted(set(names))
    if view is None or not names:
        return {}
    other = frozenset().union(*(_mode_lines(ctx, m) for m in other_modes)) if other_modes else frozenset()
    out = {}
    for name, stack in zip(names, view.stacks(names)):
        if stack:
            out[name] = (differing_frame(stack, other) if other else None) or stack[-1]
    return out


def cause_key(site):
    """What a group of names created at `site` shares: the `if` around it, else the line itself."""
    if site is None:
        return None
    cond = enclosing_if(site)
    return ("if", cond.file, cond.line) if cond else ("line", site.file, site.line)


def saver_site(ctx, mode, key, cache):
    """Where the Saver that restores `key` was created: the site of its RestoreV2 op (`cache`
    holds each mode's restore ops, asked once)."""
    if mode not in cache:
        view = ctx.views.get(mode)
        cache[mode] = view.restore_ops() if view is not None else {}
    op = cache[mode].get(key)
    return ctx.site(mode, op) if op else None
