"""GL105 auto-numbered-name-shift: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from collections import defaultdict

from graphlint.analysis.match import normalize
from graphlint.findings import Related
from graphlint.model.snapshot import MODES
from graphlint.rules import Rule
from graphlint.rules._group import beside_writer, cause_sites
from graphlint.rules._shapes import show_shape


class AutoNumberedNameShift(Rule):
    """Saved variable whose auto-numbered name differs between modes.

    ## What it does
    Pairs the saved variables of the modes by the line of your code that creates them. When one
    line creates a variable named `Variable` in one mode and `Variable_1` in another (or `dense`
    and `dense_2`), it reports that the name is auto-numbered and shifted.

    ## Why is this bad
    TensorFlow numbers default names in creation order: the first unnamed `tf.compat.v1.Variable`
    is `Variable`, the next `Variable_1`. A variable created in only some modes before the shared
    ones shifts every later number, and restore looks variables up by name, so it reads another
    variable's checkpoint value or none: `NotFoundError`; a value of another shape (a ref
    variable fails at restore; a resource variable, TF2's default, is restored without a shape
    check and fails later, where the shape matters); or, when shapes match, silently another
    variable's value.

    ## Example
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, params, spec


    def model_fn(features, labels, mode, params):
        temperature = 1.0
        if mode == tf.estimator.ModeKeys.EVAL:
            temperature = tf.compat.v1.Variable(2.0, trainable=False)  # takes the name "Variable" in EVAL
        w = tf.compat.v1.Variable(tf.zeros([4, params["units"]]))        # so w is "Variable_1" there
        return spec(mode, tf.matmul(features["x"], w) / temperature, labels)
    ```

    ## Fix
    Give every saved variable (or the layer that creates it) an explicit name; the eval-only
    temperature is not model state, so it becomes a local variable:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, params, spec


    def model_fn(features, labels, mode, params):
        temperature = 1.0
        if mode == tf.estimator.ModeKeys.EVAL:
            temperature = tf.compat.v1.Variable(2.0, trainable=False, name="temperature",
                                                collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES])
        w = tf.compat.v1.Variable(tf.zeros([4, params["units"]]), name="w")
        return spec(mode, tf.matmul(features["x"], w) / temperature, labels)
    ```
    """

    code = "GL105"
    symbol = "auto-numbered-name-shift"
    severity = "error"
    summary = "one line creates a saved variable whose auto-numbered name differs by mode (Variable vs Variable_1)"
    # The shifted names are also keys TRAIN never creates and keys of another shape per mode (or in the
    # checkpoint): symptoms of this cause, whose fix (an explicit name) is the one that is right.
    supersedes = ("GL101", "GL102", "GL103")

    def check(self, ctx):
        modes = ctx.built_modes()
        if len(modes) < 2:
            return
        by_stem = {m: defaultdict(list) for m in modes}  # mode -> stem -> [names in creation order]
        for m in modes:
            for name, var in ctx.snapshots[m].variables.items():
                if var.saved:
                    by_stem[m][normalize(name)].append(name)
        stems = {s for m in modes for s in by_stem[m]}
        groups = defaultdict(list)  # (site, per-mode shifted scope) -> [{mode: name}]
        sites = {}
        numbered = {}
        for stem in sorted(stems):
            lists = {m: by_stem[m][stem] for m in modes if by_stem[m].get(stem)}
            if len(lists) >= 2 and not all(n == stem for v in lists.values() for n in v):
                numbered[stem] = lists  # else no numbered name: nothing can have shifted
        for stem, lists in numbered.items():
            for site, names in self._shifts(ctx, stem, lists):
                key = ((site.file, site.line), tuple(sorted(_shifted_scope(names).items())))
                sites[key] = site
                groups[key].append(names)
        for key in sorted(groups):
            yield self._finding(ctx, sites[key], dict(key[1]), groups[key])

    @staticmethod
    def _shifts(ctx, stem, lists):
        """(site, {mode: name}) for the variables one line creates under different numbers per mode,
        paired in creation order."""
        per_site = defaultdict(lambda: defaultdict(list))  # site -> mode -> [names]
        sites = {}
        for mode, names in lists.items():
            for name in names:
                site = ctx.site(mode, name)
                if site is not None:
                    sites.setdefault((site.file, site.line), site)
                    per_site[(site.file, site.line)][mode].append(name)
        for key in sorted(per_site):
            by_mode = per_site[key]
            for i in range(max(len(v) for v in by_mode.values())):
                names = {m: v[i] for m, v in by_mode.items() if i < len(v)}
                if len(names) > 1 and len(set(names.values())) > 1 and _auto_numbered(ctx, stem, names):
                    yield sites[key], names

    def _finding(self, ctx, site, scopes, pairs):
        modes = tuple(m for m in MODES if m in scopes)
        base = "train" if "train" in modes else modes[0]  # the side that writes the checkpoint
        first = pairs[0]
        whole = all(scopes[m] == first[m] for m in modes) and len(pairs) == 1
        label = (lambda m: f"'{scopes[m]}'") if whole else (lambda m: f"'{scopes[m]}/'")
        ref = scopes[base]
        by_name = defaultdict(list)  # shifted scope -> modes
        for m in modes:
            by_name[scopes[m]].append(m)
        shown = " but ".join(f"{label(ms[0])} in {'/'.join(ms)}" for ms in by_name.values())
        what = "a saved variable named" if whole else \
            f"saved variables ({', '.join(sorted(p[base][len(ref) + 1:] for p in pairs))}) under"
        why, related = [], []
        for m in modes:  # who took the other numbers: created before it in that mode
            order = list(ctx.snapshots[m].variables)
            mine = order.index(first[m])
            for other_modes in by_name.values():
                other = first[other_modes[0]]
                if other != first[m] and other in order and order.index(other) < mine:
                    # The line the modes where it is named `other` never ran, not a helper both reach.
                    taker = cause_sites(ctx, m, [other], other_modes).get(other) or ctx.site(m, other)
                    if taker is not None and taker != site:
                        why.append(f"in {m}, {label(other_modes[0])} went to what the line at {taker} creates first")
                        related.append(Related(taker, f"in {m}, this line creates {label(other_modes[0])} first"))
        renamed = [(r, ms) for n, ms in by_name.items() if (r := _renamed(ctx.snapshots[ms[0]], n)) is not None]
        if renamed:
            why.append(f"TensorFlow renamed the requested '{renamed[0][0].requested}' " + " and ".join(
                f"to '{r.got}' in {'/'.join(ms)}" for r, ms in renamed))
        effects = []
        for pair in pairs:
            for n, ms in by_name.items():
                if n != ref:
                    effects.append(self._effect(ctx, base, ms, pair[ms[0]], related))
        if len(effects) > 3:
            effects = effects[:2] + [f"and {len(effects) - 2} more like these"]
        seen = set()
        related = [r for r in related if not (r.site in seen or seen.add(r.site))]  # one note per line
        because = f" ({'; '.join(why)})" if why else ""
        return self.finding(
            modes, ref + ("" if whole else "/"),
            f"this line creates {what} {shown}. TensorFlow numbers default names in creation order, and the "
            f"modes create different things before it{because}. Restore looks variables up by name: "
            f"{'; '.join(effects)}",
            fix="give it an explicit name (tf.compat.v1.Variable(..., name='w'), tf.compat.v1.get_variable('w', ...), "
                "or name= on the layer that creates it)",
            location=site, related=tuple(related), covers=sorted({n for pair in pairs for n in pair.values()}))

    def explains(self, finding) -> dict:
        """The shifted names, in the modes that read another variable under them than TRAIN writes."""
        return {n: beside_writer(finding.modes) for n in finding.covers}

    @staticmethod
    def _effect(ctx, base, modes, name, related):
        """What restoring `name` in `modes` from a checkpoint written by `base` does."""
        writer, who, s = ctx.snapshots[base], "/".join(modes), "" if len(modes) > 1 else "s"
        if name not in writer.restore_keys:
            return f"{who} look{s} up '{name}', which {base}'s checkpoint does not have: restore fails (NotFoundError)"
        mine, theirs = ctx.snapshots[modes[0]].variables.get(name), writer.variables.get(name)
        holder = ctx.site(base, name)
        which = f"which in {base} is the variable created at {holder}" if holder else \
            f"which is another variable in {base}"
        if holder:
            related.append(Related(holder, f"in {base}, '{name}' is created here"))
        if mine and theirs and (mine.shape, mine.dtype) == (theirs.shape, theirs.dtype):
            return (f"{who} look{s} up '{name}', {which}, of the same shape and dtype: {who} silently "
                    f"load{s} that variable's value")
        shape, own = (show_shape(theirs.shape) if theirs else "?"), (show_shape(mine.shape) if mine else "?")
        if ctx.snapshots[modes[0]].ops.get(name) == "VariableV2":  # a ref variable: Assign checks the shape
            return f"{who} look{s} up '{name}', {which}, of shape {shape}: restore fails (shapes differ)"
        return (f"{who} look{s} up '{name}', {which}, of shape {shape}: a resource variable is restored without a "
                f"shape check, so {who} compute{s} with that {shape} value instead of a {own} one, and fail{s} "
                f"wherever the shape does not fit")


def _shifted_scope(names) -> dict:
    """{mode: the name up to its last component that differs between the modes}:
    dense/kernel vs dense_1/kernel -> dense, dense_1; Variable vs Variable_1 -> the names."""
    parts = {m: n.split("/") for m, n in names.items()}
    if len({len(p) for p in parts.values()}) != 1:
        return dict(names)
    last = max(i for i in range(len(next(iter(parts.values())))) if len({p[i] for p in parts.values()}) > 1)
    return {m: "/".join(p[:last + 1]) for m, p in parts.items()}


def _renamed(snap, name):
    """The ScopeRename by which TensorFlow numbered a scope of `name`, if it recorded one."""
    return next((r for r in snap.renames if name == r.got or name.startswith(r.got + "/")), None)


def _auto_numbered(ctx, stem, names) -> bool:
    """Evidence that the numbers are TensorFlow's (or Keras') uniquifier, not the user's own:
    TensorFlow recorded renaming one of them, or one mode has the un-numbered first name."""
    return stem in names.values() or any(_renamed(ctx.snapshots[m], n) for m, n in names.items())
