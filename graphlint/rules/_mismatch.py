"""What GL102/GL103 (between modes) and GL302/GL303 (against a checkpoint) share: comparing one
attribute of every restore key, and what a mismatch does at restore."""

from __future__ import annotations

from collections import defaultdict

from graphlint.checkpoint.reader import classify
from graphlint.model.snapshot import MODES
from graphlint.rules import Rule
from graphlint.rules._group import beside_writer, by_cause, cause_key, listing, slot_owners
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
            # A key a cause rule explains in any mode (GL105: a shifted auto-numbered name) is its.
            if len(set(values.values())) > 1 and len(self.unclaimed(ctx, key, values)) == len(values):
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

    def explains(self, finding) -> dict:
        """Its keys in the modes other than TRAIN, whose mismatch with a checkpoint TRAIN wrote is this one."""
        return {n: beside_writer(finding.modes) for n in finding.all_names}


def by_key(ctx):
    """{checkpoint key the graph asks for: {mode: RestoreKey}} over the built modes."""
    out = defaultdict(dict)
    for mode in ctx.built_modes():
        for key, rk in ctx.snapshots[mode].restore_keys.items():
            out[ctx.ckpt_key(key)][mode] = rk
    return out


class CheckpointMismatch(Rule):
    """One finding per variable (its slots, `<var>/Adam`, ride with it) and per cause: the variables
    whose values changed the same way (a dimension 8 in the checkpoint is 16 in the graph; float32
    is float64) are most likely one changed param."""
    attr = ""
    consequence = ""
    needs_checkpoint = True

    def check(self, ctx):
        items = {}  # key -> (graph value per mode, checkpoint value)
        for key, per_mode in sorted(by_key(ctx).items()):
            entry = ctx.checkpoint.entries.get(key)
            if entry is None:
                continue
            want = getattr(entry, self.attr)
            bad = {m: getattr(rk, self.attr) for m, rk in per_mode.items()
                   if getattr(rk, self.attr) is not None and getattr(rk, self.attr) != want}
            left = self.unclaimed(ctx, key, tuple(bad))  # the modes no cause rule (GL102, GL105) explains
            bad = {m: v for m, v in bad.items() if m in left}
            if bad:
                items[key] = (bad, want, per_mode[next(iter(bad))].var_name)
        owners = slot_owners(items)
        variables = [(k, v) for k, v in items.items() if k not in owners]
        for _, group in by_cause(variables, lambda it: self._change(it[1])):
            riders = [s for k, _ in group for s, o in owners.items() if o == k]
            yield self._finding(ctx, group, riders, {m for k in [k for k, _ in group] + riders for m in items[k][0]})

    def _change(self, item):
        """What one changed param does to a variable: (modes, {(checkpoint value, graph value)})."""
        bad, want, _ = item
        if self.attr != "shape":
            return tuple(bad), tuple(sorted({(str(want), str(v)) for v in bad.values()}))
        if any(v is None or None in v or len(v) != len(want) for v in bad.values()):
            return None  # a rank change or an unknown dimension: no dimension to compare
        return tuple(bad), tuple(sorted({(w, g) for v in bad.values() for w, g in zip(want, v) if w != g}))

    def _finding(self, ctx, group, riders, modes):
        key, (bad, want, var) = group[0]
        site = ctx.first_site(tuple(bad), var)
        graph = ", ".join(f"{m}: {show(v)}" for m, v in bad.items())
        keys = [k for k, _ in group]
        if len(keys) == 1:
            what = f"'{key}' has {self.attr} {show(want)} in the checkpoint but {graph} in the graph"
        else:
            change = ", ".join(f"{a} in the checkpoint, {b} in the graph" for a, b in self._change(group[0][1])[1])
            what = (f"{len(keys)} restored variables ({listing(keys)}) differ from the checkpoint in the same way "
                    f"({change}; e.g. '{key}' has {self.attr} {show(want)} in the checkpoint but {graph} in the graph)")
        if riders:
            kind = "slots" if all(classify(s) in ("optimizer", "ema") for s in riders) else "keys saved under them"
            what += f", and so do their {len(riders)} {kind} ({listing(riders)})" if len(keys) > 1 else \
                f", and so do its {len(riders)} {kind.replace('them', 'it')} ({listing(riders)})"
        fix = (f"build it with the {self.attr} it was trained with (check the params that set it)" if len(keys) == 1
               else f"build them with the {self.attr}s they were trained with (they changed the same way, most "
                    f"likely through one param: check the params that set them)")
        return self.finding(tuple(m for m in MODES if m in modes), key, f"{what}: {self.consequence}",
                            fix=fix, location=site, related=branch(site), names=keys + riders)
