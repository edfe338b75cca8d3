"""What GL102/GL103 (between modes) and GL302/GL303 (against a checkpoint) share: comparing one
attribute of every restore key, and what a mismatch does at restore."""

from __future__ import annotations

from collections import defaultdict

from graphlint.rules import Rule
from graphlint.rules._group import by_cause, cause_key, listing
from graphlint.rules._notes import branch
from graphlint.rules._params import flat_params, param_difference
from graphlint.rules._shapes import show


SHAPE_CONSEQUENCE = (
    "a resource variable (TF2's default) restores it without an error but takes the checkpoint's shape, "
    "so the first op that checks shapes fails at run time, or results are silently wrong where none does; "
    "ref and partitioned variables fail at restore (`Assign requires shapes of both tensors to match`)")


DTYPE_CONSEQUENCE = "restore fails (`expected dtype ... does not equal original dtype ...`)"


class KeyMismatch(Rule):
    attr = ""
    consequence = ""

    def check(self, ctx):
        modes = ctx.built_modes()
        flat = flat_params(ctx, modes) if self.attr == "shape" else None
        items = []  # (key, values, site, cause)
        for key in sorted({k for m in modes for k in ctx.snapshots[m].restore_keys}):
            values = {m: getattr(ctx.snapshots[m].restore_keys[key], self.attr)
                      for m in modes if key in ctx.snapshots[m].restore_keys}
            if len(set(values.values())) > 1:
                var = ctx.snapshots[next(iter(values))].restore_keys[key].var_name
                site = ctx.first_site(values, var)
                sizing = param_difference(flat, values)[1] if flat else ()
                items.append((key, values, site, ("params", tuple(sizing)) if sizing else cause_key(site)))
        # One cause (a per-mode param that sizes them, or one `if`) behind many keys is one finding.
        for _, group in by_cause(items, lambda it: (tuple(it[1]), it[3])):
            yield self._finding(group)

    def _finding(self, group):
        key, values, site, _ = group[0]
        shown = ", ".join(f"{m}: {show(v)}" for m, v in values.items())
        keys = [it[0] for it in group]
        what = f"'{key}' has a different {self.attr} per mode ({shown})" if len(keys) == 1 else \
            f"{len(keys)} saved variables ({listing(keys)}) have a different {self.attr} per mode (e.g. '{key}': {shown})"
        return self.finding(
            tuple(values), key, f"{what}; restoring one mode's checkpoint in another: {self.consequence}",
            fix=f"make the {self.attr} independent of the mode and of per-mode params",
            location=site, related=branch(site), names=keys)


def by_key(ctx):
    """{checkpoint key the graph asks for: {mode: RestoreKey}} over the built modes."""
    out = defaultdict(dict)
    for mode in ctx.built_modes():
        for key, rk in ctx.snapshots[mode].restore_keys.items():
            out[ctx.ckpt_key(key)][mode] = rk
    return out


class CheckpointMismatch(Rule):
    attr = ""
    consequence = ""
    needs_checkpoint = True

    def check(self, ctx):
        for key, per_mode in sorted(by_key(ctx).items()):
            entry = ctx.checkpoint.entries.get(key)
            if entry is None:
                continue
            bad = {m: getattr(rk, self.attr) for m, rk in per_mode.items()
                   if getattr(rk, self.attr) is not None and getattr(rk, self.attr) != getattr(entry, self.attr)}
            if not bad:
                continue
            var = per_mode[next(iter(bad))].var_name
            site = ctx.first_site(tuple(bad), var)
            graph = ", ".join(f"{m}: {show(v)}" for m, v in bad.items())
            yield self.finding(
                tuple(bad), key, f"'{key}' has {self.attr} {show(getattr(entry, self.attr))} in the checkpoint "
                f"but {graph} in the graph: {self.consequence}", location=site, related=branch(site),
                fix=f"build it with the {self.attr} it was trained with (check the params that set it)")
