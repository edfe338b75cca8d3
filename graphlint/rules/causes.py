"""Why names and values differ between modes: the causes behind GL101/GL102, and state rules.

GL105-GL107 explain a mode divergence that GL101 or GL102 reports as a symptom (a missing key,
a shape mismatch) by naming its cause: an auto-numbered name that shifted, per-mode params, an
EMA shadow that training never created. GL4xx is a new area, "state": saved variables whose role
does not match how they are kept (evaluation state in the checkpoint, trainable variables that
training never updates).

How "training updates a variable" is decided (GL401, GL402). An update is an op that takes the
variable's handle (resource) or ref as the variable input of a state-changing kernel: the
optimizers' Apply*/ResourceApply*/SparseApply* ops, Assign*/AssignVariableOp*, Scatter*,
StridedSliceAssign, CountUpTo; found by walking the handle's consumers (through ops that pass the
handle on, like Identity/Switch/Enter). A variable's own initializer and Saver restores (the value
comes from RestoreV2) are not updates. Ops that take the handle into a function (If, While,
PartitionedCall, ...) might update it: they count as updates, so the rules stay silent.

 * When the snapshot records the EstimatorSpec's `train_op` and `loss` names (Snapshot.train_op,
   Snapshot.loss), training updates a variable when one of its update ops is an ancestor of the
   train op, the loss or a training hook's fetch: a forward walk from the few update ops (their
   consumers and control outputs) to those roots. The loss's ancestors, walked through op inputs
   from the loss and kept as a networkx DiGraph, then tell whether the loss depends on the
   variable at all, and whether every path to the loss passes through an op without a gradient.
 * Without those names (today's snapshots), training updates a variable when the train graph
   has any update op for it. That can only err towards silence: an update op that the train op
   does not run still counts.

The ancestors of the train op are most of the train graph (gradients replay the forward pass),
so the train-op side is decided forward from the update ops, and only the loss's ancestors
(the forward pass) are ever walked whole, and only when there is a finding to explain.
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from graphlint.findings import Related
from graphlint.analysis.match import normalize
from graphlint.rules import Rule
from graphlint.model.snapshot import MODES, Snapshot

_EMA = re.compile(r"MovingAverage")
_LOCAL_FIX = ("make it a local variable: collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES], trainable=False "
              "(each evaluation initializes it, no checkpoint holds it), or use a tf.compat.v1.metrics op")


class _State:
    """Shared by GL401 and GL402 for one Context: the per-mode graph views and the training step."""

    def __init__(self, ctx):
        self.modes = {m: ctx.views[m] for m in ctx.built_modes() if ctx.views.get(m) is not None}
        train = ctx.built("train")
        self.training = self.modes["train"] if train and "train" in self.modes else None
        self.eval_state = None  # GL401's verdicts, {var: info}, filled once


_STATES: list = []  # [(weakref to Context, _State)]: a Context is unhashable, and must be free to die


def _state(ctx) -> _State:
    for ref, st in _STATES:
        if ref() is ctx:
            return st
    st = _State(ctx)
    ref = weakref.ref(ctx, lambda r: _STATES.remove(next(e for e in _STATES if e[0] is r)))
    _STATES.append((ref, st))
    return st


def _plural(modes, verb):
    return f"{'/'.join(modes)} {verb if len(modes) > 1 else verb + 's'}"


@dataclass
class _EvalState:
    name: str
    saved_in: tuple  # modes where it is a saved variable
    assigned_in: tuple  # non-train modes with an assign op for it
    assign_op: str
    assign_mode: str
    in_train: bool
    trainable: bool


def _eval_state(ctx, st) -> dict:
    """{var: _EvalState}: saved variables that other modes assign but training never updates."""
    if st.eval_state is not None:
        return st.eval_state
    st.eval_state = {}
    train = ctx.built("train")
    if st.training is None:
        return st.eval_state
    saved = defaultdict(list)
    for mode in st.modes:
        for name, var in ctx.snapshots[mode].variables.items():
            if var.saved:
                saved[name].append(mode)
    updates = {m: st.modes[m].updates(sorted(n for n, ms in saved.items() if m in ms))
               for m in st.modes if m != "train"}
    candidates = {}
    for name, modes in saved.items():
        assigned = [(m, updates[m][name]) for m in modes if m != "train"]
        assigned = [(m, u) for m, u in assigned if u.assigns and not u.optimizer]
        if assigned:
            candidates[name] = (modes, assigned)
    trained = st.training.trained(sorted(n for n in candidates if n in train.variables))
    for name, (modes, assigned) in sorted(candidates.items()):
        if trained.get(name):
            continue
        mode, upd = assigned[0]
        st.eval_state[name] = _EvalState(
            name, tuple(modes), tuple(m for m, _ in assigned), upd.assigns[0], mode,
            name in train.variables, name in train.variables and train.variables[name].trainable)
    return st.eval_state


def _train_reason(ctx, st, name):
    """Why training does not update `name`, as precisely as the snapshot allows: (text, related)."""
    training = st.training.training()
    if not training["precise"]:
        return "no op of the train graph updates it", ()
    found = st.training.loss_path(name) if training["loss"] else False
    if found is False:
        return "nothing the train op runs updates it", ()
    if found is None:
        return "the loss does not depend on it, and nothing the train op runs updates it", ()
    has_grad, blocker = found
    if has_grad:
        return ("the loss depends on it, but the train op does not update it (the optimizer was not given it, "
                "or its gradient is None)"), ()
    op_type = st.training.op_type(blocker)
    site = ctx.site("train", blocker)
    related = (Related(site, f"the path from it to the loss carries no gradient here ({op_type})"),) if site else ()
    return (f"the loss depends on it only through tensors or ops that carry no gradient (the first on the way: "
            f"'{blocker}', {op_type}), so no gradient reaches it"), related


# --- GL4xx: state ---------------------------------------------------------------------------

class EvalStateInCheckpoint(Rule):
    """Evaluation state kept in a saved, global variable.

    ## What it does
    Finds global (checkpointed) variables that the EVAL or PREDICT graph updates with assign ops
    (`assign_add`, `assign`, scatter updates) while training never updates them: no gradient,
    no assign that the training step runs.

    ## Why is this bad
    It is evaluation state, not model state. As a global variable it is saved by training and
    restored by evaluation, so every mode must create it or restore fails (GL101) with
    `NotFoundError: Key ... not found in checkpoint`; and since training never changes it, every
    checkpoint holds only its initial value. Making it exist in every mode to please the Saver
    is how models end up re-entering scopes and building eval-only ops under other names (GL202).
    If it is also trainable, `tf.compat.v1.trainable_variables()` (the optimizer's default
    var_list, weight decay, EMA) picks it up too.

    ## Example
    A counter of the examples evaluation has seen:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        seen = tf.compat.v1.get_variable("examples_seen", [], initializer=tf.zeros_initializer())
        if mode == tf.estimator.ModeKeys.EVAL:
            tf.compat.v1.assign_add(seen, tf.cast(tf.size(labels), tf.float32), name="count_examples")
        return spec(mode, logits, labels)
    ```

    ## Fix
    Keep it out of the checkpoint: a local variable is initialized by every evaluation and never
    saved (a `tf.compat.v1.metrics` op does exactly that for its own state):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        seen = tf.compat.v1.get_variable("examples_seen", [], initializer=tf.zeros_initializer(),
                                         trainable=False, collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES])
        if mode == tf.estimator.ModeKeys.EVAL:
            tf.compat.v1.assign_add(seen, tf.cast(tf.size(labels), tf.float32), name="count_examples")
        return spec(mode, logits, labels)
    ```
    """

    code = "GL401"
    symbol = "eval-state-in-checkpoint"
    severity = "warning"
    summary = "a saved variable that only EVAL/PREDICT assign and training never updates (evaluation state)"

    def check(self, ctx):
        st = _state(ctx)
        for name, info in sorted(_eval_state(ctx, st).items()):
            op_type = ctx.snapshots[info.assign_mode].ops.get(info.assign_op, "assign")
            assign_site = ctx.site(info.assign_mode, info.assign_op)
            where = f" at {assign_site}" if assign_site else ""
            related = [Related(assign_site, f"{info.assign_mode} updates it here ({op_type})")] \
                if assign_site else []
            if info.in_train:
                training, why = _train_reason(ctx, st, name)
                related.extend(why)
                kept = ("training saves only its initial value, evaluation restores it from there, and the "
                        "train graph has to create it, or restore fails (GL101)")
            else:
                training = "the train graph does not create it"
                kept = ("evaluation restores it from the training checkpoint, which cannot have it (GL101); "
                        "creating it in training too, only for the Saver, would put it in every checkpoint")
            extra = (" It is also trainable, so tf.compat.v1.trainable_variables() (the optimizer's default "
                     "var_list, weight decay, EMA) includes it.") if info.trainable else ""
            yield self.finding(
                info.saved_in, name,
                f"'{name}' is a saved (global) variable that only {_plural(info.assigned_in, 'update')} "
                f"({op_type}{where}); training never does: {training}. It is evaluation state in a saved "
                f"variable: {kept}.{extra}",
                fix=_LOCAL_FIX, location=ctx.first_site(info.saved_in, name), related=tuple(related))


class TrainableNeverUpdated(Rule):
    """Trainable variable that the training step never updates.

    ## What it does
    Finds variables in the TRAIN graph's trainable collection that training never changes: no
    optimizer update (no gradient reached them) and no assign that the training step runs.
    Variables that GL401 reports as evaluation state are left to GL401.

    ## Why is this bad
    Every checkpoint holds the variable's initial value. Usually the loss was meant to depend on
    it and does not (it is used only in PREDICT, or after the loss was computed), or the gradient
    is cut (`tf.stop_gradient`, an integer cast), or the optimizer's `var_list` leaves it out.
    If it is meant to stay fixed, `trainable=True` misleads weight decay, EMA and anything else
    that walks `tf.compat.v1.trainable_variables()`.

    ## Example
    A calibration scale that only the served probabilities use:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        scale = tf.compat.v1.get_variable("scale", [], initializer=tf.ones_initializer())
        tf.sigmoid(logits * scale, name="probabilities")   # the loss (in spec) never sees scale
        return spec(mode, logits, labels)
    ```

    ## Fix
    Make the loss depend on it (or, if it is meant to stay fixed, create it with `trainable=False`;
    to freeze part of a model on purpose, ignore GL402 for those names with `ignore-names`):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"]) * tf.compat.v1.get_variable(
            "scale", [], initializer=tf.ones_initializer())
        tf.sigmoid(logits, name="probabilities")
        return spec(mode, logits, labels)
    ```
    """

    code = "GL402"
    symbol = "trainable-never-updated"
    severity = "warning"
    summary = "a trainable variable that training never updates (no gradient reaches it)"

    def check(self, ctx):
        st = _state(ctx)
        train = ctx.built("train")
        if st.training is None:
            return
        skip = _eval_state(ctx, st)
        names = sorted(n for n, var in train.variables.items() if var.trainable and n not in skip)
        trained = st.training.trained(names)
        ctx.prefetch_sites("train", [n for n in names if not trained[n]])
        for name in names:
            if trained[name]:
                continue
            why, related = _train_reason(ctx, st, name)
            yield self.finding(
                ("train",), name,
                f"'{name}' is trainable, but training never updates it: {why}. Every checkpoint holds its "
                f"initial value",
                fix="make the loss depend on it (and give the optimizer a gradient for it), or create it "
                    "with trainable=False if it is meant to stay fixed",
                location=ctx.site("train", name), related=related)


# --- GL105-GL107: why names differ between modes --------------------------------------------

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
    example_also = ("GL101", "GL102")  # the shifted names are also missing keys and shape mismatches

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
        for m in modes:
            ctx.prefetch_sites(m, [n for lists in numbered.values() for n in lists.get(m, ())])
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
                    taker = ctx.site(m, other)
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
            location=site, related=tuple(related))

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
        shape, own = (_shape(theirs.shape) if theirs else "?"), (_shape(mine.shape) if mine else "?")
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


class PerModeParamsShape(Rule):
    """Names the per-mode params behind a saved variable's shape mismatch.

    ## What it does
    When a saved variable has a different shape in different modes (GL102), compares the params
    each mode's `model_fn` was called with and names the ones that differ between those modes,
    marking a param whose value equals the differing dimension in every mode.

    ## Why is this bad
    Estimator passes the same `params` to every mode, but training and evaluation jobs are often
    launched with their own configs. A param that sizes a variable (hidden units, vocabulary size,
    number of classes) must be the same everywhere, or the training checkpoint does not fit the
    evaluation graph: a ref variable fails at restore (`Assign requires shapes of both tensors to
    match`), and a resource variable (TF2's default) is restored without a shape check, with the
    checkpoint's shape, and fails later wherever that shape does not fit.

    ## Example
    The evaluation job is launched with its own params (`--params-eval '{"units": 4, "batch_size": 8}'`):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, spec

    params = {"units": 3, "batch_size": 4}   # the eval job overrides {"units": 4, "batch_size": 8}


    def model_fn(features, labels, mode, params):
        return spec(mode, linear(features, params["units"]), labels)
    ```

    ## Fix
    Keep what sizes variables out of the per-job params (or give every job the same value);
    per-job settings such as the batch size may differ:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, spec

    UNITS = 3   # sizes a variable: one value, in the code every job runs
    params = {"batch_size": 4}


    def model_fn(features, labels, mode, params):
        return spec(mode, linear(features, UNITS), labels)
    ```
    """

    code = "GL106"
    symbol = "per-mode-params-shape"
    severity = "info"
    summary = "names the params that differ between modes whose saved variable shapes differ (GL102)"
    example_also = ("GL102",)  # the symptom it explains
    example_options = {"per_mode_params": {"eval": {"units": 4, "batch_size": 8}}}
    example_needs = "" if "params" in getattr(Snapshot, "__dataclass_fields__", {}) else \
        "fires once the snapshots record each mode's params (Snapshot.params)"

    def check(self, ctx):
        modes = ctx.built_modes()
        params = {m: getattr(ctx.snapshots[m], "params", None) for m in modes}
        if len(modes) < 2 or any(not isinstance(p, dict) for p in params.values()):
            return  # snapshots without params (Snapshot.params) cannot say which params differ
        flat = {m: dict(_flatten(p)) for m, p in params.items()}
        keys = sorted({k for m in modes for k in ctx.snapshots[m].restore_keys})
        for key in keys:
            shapes = {m: ctx.snapshots[m].restore_keys[key].shape
                      for m in modes if key in ctx.snapshots[m].restore_keys}
            if len(set(shapes.values())) < 2:
                continue
            differ = [p for p in sorted({p for m in shapes for p in flat[m]})
                      if len({_show(flat[m].get(p, _MISSING)) for m in shapes}) > 1]
            if not differ:
                continue
            dims = _differing_dims(shapes)
            sizing = [p for p in differ if dims and all(
                isinstance(flat[m].get(p), int) and all(shapes[m][i] == flat[m][p] for i in dims) for m in shapes)]
            shown = "; ".join(f"{p} (" + ", ".join(f"{m}: {_show(flat[m].get(p, _MISSING))}" for m in shapes) + ")"
                              for p in differ)
            match = (f"; the differing dimension equals {', '.join(repr(p) for p in sizing)} in every mode"
                     if sizing else "")
            first = ctx.snapshots[next(iter(shapes))]
            var = _var_name(first, first.restore_keys[key])
            yield self.finding(
                tuple(shapes), key,
                f"'{key}' has a different shape per mode ({', '.join(f'{m}: {_shape(v)}' for m, v in shapes.items())})"
                f" and these modes get different params: {shown}{match}",
                fix=f"give every mode the same {', '.join(sizing or differ)} (a variable's shape must not depend "
                    f"on per-mode params)",
                location=ctx.first_site(shapes, var))


_MISSING = object()


def _flatten(params, prefix=""):
    for k, v in params.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            yield from _flatten(v, name + ".")
        else:
            yield name, v


def _show(value):
    return "(unset)" if value is _MISSING else repr(value)


def _shape(shape):
    return "?" if shape is None else "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def _differing_dims(shapes):
    known = [s for s in shapes.values() if s is not None]
    if len(known) != len(shapes) or len({len(s) for s in known}) != 1:
        return []
    return [i for i in range(len(known[0])) if len({s[i] for s in known}) > 1]


class EmaShadowNotTrained(Rule):
    """EVAL/PREDICT restore moving averages that training never creates.

    ## What it does
    Finds checkpoint keys that an EVAL or PREDICT Saver restores into a variable of another name,
    `w/ExponentialMovingAverage` into `w` (the mapping `ExponentialMovingAverage.variables_to_restore()`
    builds), when the TRAIN graph never creates that moving average.

    ## Why is this bad
    Only training creates the shadow variables, with `ema.apply(...)`. With the EMA turned off
    in training (or applied to other variables), no checkpoint has the shadow, and evaluation or
    export fails at restore with `NotFoundError: Key w/ExponentialMovingAverage not found in checkpoint`.

    ## Example
    The EMA is a training option, but evaluation always restores the averages:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, train_op

    params = {"units": 3, "use_ema": False}


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        ema = tf.compat.v1.train.ExponentialMovingAverage(0.99)
        scaffold = None
        if mode != tf.estimator.ModeKeys.TRAIN:   # evaluation and export read the averages
            scaffold = tf.compat.v1.train.Scaffold(saver=tf.compat.v1.train.Saver(ema.variables_to_restore()))
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits}, scaffold=scaffold)
        loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
        step = train_op(mode, loss)
        if step is not None and params["use_ema"]:
            with tf.control_dependencies([step]):
                step = ema.apply(tf.compat.v1.trainable_variables())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=step, scaffold=scaffold)
    ```

    ## Fix
    Restore the averages only when training makes them, deciding both from the same param (or
    apply the EMA in training whenever evaluation restores averages):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, train_op

    params = {"units": 3, "use_ema": False}


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        ema = tf.compat.v1.train.ExponentialMovingAverage(0.99)
        scaffold = None
        if mode != tf.estimator.ModeKeys.TRAIN and params["use_ema"]:   # the same condition as training
            scaffold = tf.compat.v1.train.Scaffold(saver=tf.compat.v1.train.Saver(ema.variables_to_restore()))
        if mode == tf.estimator.ModeKeys.PREDICT:
            return tf.estimator.EstimatorSpec(mode, predictions={"logits": logits}, scaffold=scaffold)
        loss = tf.reduce_mean(tf.square(logits[:, :1] - labels))
        step = train_op(mode, loss)
        if step is not None and params["use_ema"]:
            with tf.control_dependencies([step]):
                step = ema.apply(tf.compat.v1.trainable_variables())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=step, scaffold=scaffold)
    ```
    """

    code = "GL107"
    symbol = "ema-shadow-not-trained"
    severity = "error"
    summary = "EVAL/PREDICT restore a variable from its moving average (EMA shadow), which training never creates"
    example_also = ("GL101",)  # the missing key it explains

    def check(self, ctx):
        train = ctx.built("train")
        if train is None:
            return
        found = defaultdict(list)
        for mode in ctx.built_modes():
            if mode == "train":
                continue
            snap = ctx.snapshots[mode]
            for key, rk in sorted(snap.restore_keys.items()):
                var = _var_name(snap, rk)
                if key not in train.restore_keys and key.startswith(var + "/") and _EMA.search(key[len(var) + 1:]):
                    found[key].append(mode)
        savers = {}
        for key, modes in sorted(found.items()):
            var = _var_name(ctx.snapshots[modes[0]], ctx.snapshots[modes[0]].restore_keys[key])
            suffix = key[len(var) + 1:]
            others = sorted(n for n in train.variables if n.endswith("/" + suffix))
            if others:
                trained = (f"the train graph averages other variables (e.g. '{others[0]}') but not "
                           f"'{var}'")
            else:
                trained = (f"the train graph creates no '.../{suffix}' variable at all (ema.apply() is not called "
                           f"in training)")
            saver = _saver_site(ctx, modes[0], key, savers)
            var_site = ctx.first_site(modes, var)
            related = (Related(var_site, f"'{var}' is created here"),) if var_site and saver else ()
            yield self.finding(
                tuple(modes), key,
                f"'{key}' is the moving-average shadow of '{var}': the {'/'.join(modes)} Saver restores "
                f"'{var}' from it (as ExponentialMovingAverage.variables_to_restore() maps it), but "
                f"{trained}, so no training checkpoint has it: restore fails with "
                f"`NotFoundError: Key {key} not found in checkpoint`",
                fix=f"apply the moving average to '{var}' in training (train_op = tf.group(train_op, "
                    f"ema.apply(...))) whenever evaluation restores averages, or restore the plain variables "
                    f"(no Saver(ema.variables_to_restore())) when the EMA is off, deciding both from the same param",
                location=saver or var_site, related=related)


def _var_name(snap, rk) -> str:
    """The variable a restore key goes into. The snapshot names a resource variable's saveable by
    its read op ('w/Read/ReadVariableOp'); the variable is 'w'."""
    name = rk.var_name
    for suffix in ("/Read/ReadVariableOp", "/read"):
        if name.endswith(suffix) and name[:-len(suffix)] in snap.variables:
            return name[:-len(suffix)]
    return name


def _saver_site(ctx, mode, key, cache):
    """Where the Saver that restores `key` was created: the site of its RestoreV2 op."""
    if mode not in cache:
        view = ctx.views.get(mode)
        cache[mode] = view.restore_ops() if view is not None else {}
    op = cache[mode].get(key)
    return ctx.site(mode, op) if op else None
