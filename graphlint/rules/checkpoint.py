"""GL3xx: a mode's graph against a real checkpoint: what restore will ask for, and what it finds."""

from __future__ import annotations

from collections import defaultdict

from graphlint.rules import Rule
from graphlint.rules.modes import DTYPE_CONSEQUENCE, SHAPE_CONSEQUENCE, _branch, _fmt


def _by_key(ctx):
    """{checkpoint key the graph asks for: {mode: RestoreKey}} over the built modes."""
    out = defaultdict(dict)
    for mode in ctx.built_modes():
        for key, rk in ctx.snapshots[mode].restore_keys.items():
            out[ctx.ckpt_key(key)][mode] = rk
    return out


class MissingCheckpointKey(Rule):
    """A variable the graph restores is not in the checkpoint.

    ## What it does
    Computes the checkpoint keys each mode's Saver restores (with TensorFlow's own saveable
    conversion) and looks each one up in the checkpoint you pass with `--checkpoint`. When keys
    are missing and unused checkpoint keys of the same shape and dtype are left over, it pairs
    them and prints a ready-to-paste `assignment_map`.

    ## Why is this bad
    Evaluation, export, serving and resumed training fail at restore with
    `NotFoundError: Key ... not found in checkpoint`.

    ## Example
    Checked against a checkpoint trained by the Fix below, which names the scope `encoder`:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder_v2"):   # "encoder" when the checkpoint was written
            logits = linear(features, params["units"])
        return spec(mode, logits, labels)
    ```

    ## Fix
    Keep the name the checkpoint was written with. (To warm-start a renamed model from an old
    checkpoint instead, map the old keys onto the new variables:
    `tf.compat.v1.train.init_from_checkpoint(ckpt, {"encoder/": "encoder_v2/"})`, or the
    `assignment_map` graphlint prints.)
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder"):
            logits = linear(features, params["units"])
        return spec(mode, logits, labels)
    ```
    """

    needs_checkpoint = True
    code = "GL301"
    symbol = "missing-checkpoint-key"
    severity = "error"
    summary = "a variable the graph restores is not in the checkpoint"

    def check(self, ctx):
        pairs = {m: u for m, u, _ in ctx.renames}
        for key, per_mode in sorted(_by_key(ctx).items()):
            if key in ctx.checkpoint.entries:
                continue
            modes = tuple(per_mode)
            var = next(iter(per_mode.values())).var_name
            site = ctx.first_site(modes, var)
            hint = f"; the checkpoint has '{pairs[key]}' with the same shape and dtype" if key in pairs else \
                   ("; no checkpoint key has the same shape and dtype" if ctx.checkpoint.entries else "")
            yield self.finding(
                modes, key, f"'{key}' is restored by the {'/'.join(modes)} graph but the checkpoint "
                f"{ctx.checkpoint.prefix} does not have it{hint}",
                fix=(f"rename it back to '{pairs[key]}', or restore with the assignment_map printed below"
                     if key in pairs else "create it with the name it had when the checkpoint was written, or "
                     "train a checkpoint that has it"),
                location=site, related=_branch(site))


class _CheckpointMismatch(Rule):
    attr = ""
    consequence = ""
    needs_checkpoint = True

    def check(self, ctx):
        for key, per_mode in sorted(_by_key(ctx).items()):
            entry = ctx.checkpoint.entries.get(key)
            if entry is None:
                continue
            bad = {m: getattr(rk, self.attr) for m, rk in per_mode.items()
                   if getattr(rk, self.attr) is not None and getattr(rk, self.attr) != getattr(entry, self.attr)}
            if not bad:
                continue
            var = per_mode[next(iter(bad))].var_name
            site = ctx.first_site(tuple(bad), var)
            graph = ", ".join(f"{m}: {_fmt(v)}" for m, v in bad.items())
            yield self.finding(
                tuple(bad), key, f"'{key}' has {self.attr} {_fmt(getattr(entry, self.attr))} in the checkpoint "
                f"but {graph} in the graph: {self.consequence}", location=site, related=_branch(site),
                fix=f"build it with the {self.attr} it was trained with (check the params that set it)")


class CheckpointShapeMismatch(_CheckpointMismatch):
    """A restored variable's shape differs from the checkpoint's.

    ## What it does
    Compares each restored key's full shape with the checkpoint's. Partitioned variables are
    compared by their full shape, so a change in the number of partitions is fine.

    ## Why is this bad
    For a resource variable (TF2's default) restore does not fail: the variable silently takes the
    checkpoint's shape, and the first op that checks shapes fails at run time, or, where none does,
    results are silently wrong. Ref variables, and partitioned variables whose full shape changed,
    fail at restore with `Assign requires shapes of both tensors to match`.

    ## Example
    Checked against a checkpoint trained by the Fix below, with `units` 3:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, spec

    params = {"units": 4}


    def model_fn(features, labels, mode, params):
        return spec(mode, linear(features, params["units"]), labels)   # w is [4, 4], trained [4, 3]
    ```

    ## Fix
    Build it with the params it was trained with:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, spec

    params = {"units": 3}


    def model_fn(features, labels, mode, params):
        return spec(mode, linear(features, params["units"]), labels)
    ```
    """

    code = "GL302"
    symbol = "checkpoint-shape-mismatch"
    severity = "error"
    summary = "a restored variable's shape differs from the checkpoint's"
    attr = "shape"
    consequence = SHAPE_CONSEQUENCE


class CheckpointDtypeMismatch(_CheckpointMismatch):
    """A restored variable's dtype differs from the checkpoint's.

    ## What it does
    Compares each restored key's dtype with the checkpoint's.

    ## Why is this bad
    Restore fails: the checkpoint's tensor cannot be assigned to a variable of another dtype.

    ## Example
    Checked against a checkpoint trained by the Fix below, in float32:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, params, spec


    def model_fn(features, labels, mode, params):
        w = tf.compat.v1.get_variable("w", [4, params["units"]], dtype=tf.float16)   # trained in float32
        logits = tf.matmul(tf.cast(features["x"], tf.float16), w)
        return spec(mode, logits, labels)
    ```

    ## Fix
    Keep the variable in the dtype it was trained in and cast its value:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, params, spec


    def model_fn(features, labels, mode, params):
        w = tf.compat.v1.get_variable("w", [4, params["units"]], dtype=tf.float32)
        logits = tf.matmul(tf.cast(features["x"], tf.float16), tf.cast(w, tf.float16))
        return spec(mode, logits, labels)
    ```
    """

    code = "GL303"
    symbol = "checkpoint-dtype-mismatch"
    severity = "error"
    summary = "a restored variable's dtype differs from the checkpoint's"
    attr = "dtype"
    consequence = DTYPE_CONSEQUENCE


class UnusedCheckpointKey(Rule):
    """A checkpoint key that no mode's graph restores.

    ## What it does
    Lists the checkpoint keys that no built mode restores. Optimizer slots, global_step, EMA
    shadows and object-graph metadata are expected and only counted in the table; other keys
    (your model's own variables) are reported one by one.

    ## Why is this bad
    Trained values are silently left behind. It is often the other half of a rename: the graph
    asks for `encoder_v2/w`, the checkpoint has `encoder/w` (GL301 reports the missing half),
    and a warm start skips the trained weights. Or a custom Saver's `var_list` leaves variables
    out (GL308).

    ## Example
    The model's scope was renamed since the checkpoint (trained by the Fix below) was written:
    the graph now asks for `encoder_v2/w` (GL301) and the checkpoint's `encoder/w` is left over.
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder_v2"):
            logits = linear(features, params["units"])
        return spec(mode, logits, labels)
    ```

    ## Fix
    Keep the name the checkpoint has (or restore it with the assignment_map graphlint prints):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder"):
            logits = linear(features, params["units"])
        return spec(mode, logits, labels)
    ```
    """

    needs_checkpoint = True
    example_also = ("GL301",)  # a rename leaves a key unused and another one missing
    code = "GL304"
    symbol = "unused-checkpoint-key"
    severity = "info"
    summary = "a checkpoint key (of the model's own variables) that no mode restores"

    def check(self, ctx):
        paired = {u: m for m, u, _ in ctx.renames}
        for key in ctx.unused_keys():
            entry = ctx.checkpoint.entries[key]
            if entry.cls != "other":
                continue
            hint = f"; it pairs with '{paired[key]}', which the graph restores but the checkpoint lacks" \
                if key in paired else ""
            yield self.finding((), key, f"'{key}' {_fmt(entry.shape)} {entry.dtype} is in the checkpoint but no "
                               f"built mode restores it{hint}",
                               fix="restore it under its old name (see the assignment_map), or ignore it if "
                                   "the variable was removed on purpose")


class WarmStartMissingKey(Rule):
    """A warm-start map names checkpoint keys or scopes the checkpoint does not have.

    ## What it does
    Reports `tf.compat.v1.train.init_from_checkpoint` calls whose assignment_map TensorFlow rejects
    while `model_fn` builds the graph (a key or scope missing from that checkpoint, or a shape
    that does not match), with the line of the call.

    ## Why is this bad
    TensorFlow raises while building the graph, so training never starts; in a long pipeline this
    happens after data preparation and scheduling, and the message names only the first key.

    ## Example
    Warm-starting from a checkpoint of an older model, whose scope was `enc` (`old_checkpoint()`
    writes one):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, old_checkpoint, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder"):
            logits = linear(features, params["units"])
        tf.compat.v1.train.init_from_checkpoint(old_checkpoint(), {"encoder/": "encoder/"})   # it has enc/
        return spec(mode, logits, labels)
    ```

    ## Fix
    Map the scopes the checkpoint really has (`graphlint ckpt DIR` lists them):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, old_checkpoint, params, spec


    def model_fn(features, labels, mode, params):
        with tf.compat.v1.variable_scope("encoder"):
            logits = linear(features, params["units"])
        tf.compat.v1.train.init_from_checkpoint(old_checkpoint(), {"enc/": "encoder/"})
        return spec(mode, logits, labels)
    ```
    """

    code = "GL305"
    symbol = "warm-start-missing-key"
    severity = "error"
    summary = "an init_from_checkpoint (warm-start) map names keys the checkpoint does not have"

    def check(self, ctx):
        by_call = {}
        for mode, snap in ctx.snapshots.items():
            failure = snap.failure
            if failure is not None and failure.kind == "warm-start":
                by_call.setdefault((failure.site, failure.exc_type, failure.message), []).append(mode)
        for (site, exc_type, message), modes in by_call.items():
            yield self.finding(modes, "init_from_checkpoint",
                               f"init_from_checkpoint rejected its assignment_map while building "
                               f"{'/'.join(modes)}: {exc_type}: {message}",
                               fix="map only keys and scopes the checkpoint has (list them with graphlint ckpt)",
                               location=site)


_READS = ("/read", "/Read/ReadVariableOp")


class FetchOfUncheckpointedVariable(Rule):
    """A hook fetches a saved variable that the checkpoint does not have.

    ## What it does
    For every hook fetch that resolves to a saved variable (or its read), checks that the
    checkpoint has that variable.

    ## Why is this bad
    The value the hook reports cannot come from the checkpoint: restore fails first, or, where a
    custom Saver leaves the variable out, the hook prints the variable's initial value.

    ## Example
    Evaluation state in a global variable, checked against a checkpoint trained by the Fix below,
    which keeps it local; restore fails too (GL301):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    class SeenHook(tf.estimator.SessionRunHook):
        def before_run(self, run_context):
            return tf.estimator.SessionRunArgs("seen:0")


    def model_fn(features, labels, mode, params):
        seen = tf.compat.v1.get_variable("seen", [], trainable=False, initializer=tf.zeros_initializer())
        return spec(mode, linear(features, params["units"]), labels, evaluation_hooks=[SeenHook()])
    ```

    ## Fix
    Fetch a variable the checkpoint has, or keep evaluation-only state in local variables:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    class SeenHook(tf.estimator.SessionRunHook):
        def before_run(self, run_context):
            return tf.estimator.SessionRunArgs("seen:0")


    def model_fn(features, labels, mode, params):
        seen = tf.compat.v1.get_variable("seen", [], trainable=False, initializer=tf.zeros_initializer(),
                                         collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES])
        return spec(mode, linear(features, params["units"]), labels, evaluation_hooks=[SeenHook()])
    ```
    """

    needs_checkpoint = True
    example_also = ("GL301",)  # a saved variable the checkpoint lacks is also a missing restore key
    code = "GL306"
    symbol = "fetch-of-uncheckpointed-variable"
    severity = "error"
    summary = "a hook fetches a saved variable that the checkpoint does not have"

    def check(self, ctx):
        for mode in ctx.built_modes():
            snap = ctx.snapshots[mode]
            for fetch in snap.fetches:
                var = _variable_of(fetch.name.split(":")[0], snap.variables) if fetch.resolved else None
                if var is None or not snap.variables[var].saved or ctx.ckpt_key(var) in ctx.checkpoint.entries:
                    continue
                yield self.finding((mode,), fetch.name,
                                   f"{fetch.hook} fetches '{fetch.name}' in {mode}, the value of variable '{var}', "
                                   f"which the checkpoint {ctx.checkpoint.prefix} does not have",
                                   fix="fetch state the checkpoint has, or make evaluation-only state a local variable",
                                   location=fetch.site)


def _variable_of(op_name: str, variables):
    if op_name in variables:
        return op_name
    for suffix in _READS:
        if op_name.endswith(suffix) and op_name[: -len(suffix)] in variables:
            return op_name[: -len(suffix)]
    return None


class ObjectBasedCheckpointRestore(Rule):
    """Variables found in an object-based checkpoint only through its object graph.

    ## What it does
    When the checkpoint was written by `tf.train.Checkpoint` (TF2, object-based), graphlint maps
    its keys to variable names the way a name-based Saver does when it meets one, and reports the
    variables that can only be found that way.

    ## Why is this bad
    The name-based Saver does that mapping by building a second Saver while restoring. Estimator
    and MonitoredSession finalize the graph before restoring, so the restore fails with
    `RuntimeError: Graph is finalized and cannot be modified`.

    ## Example
    Restoring `tf.train.Checkpoint(model=...)` output in an Estimator's EVAL graph:
    ```python
    w = tf.compat.v1.get_variable("net/w", [8, 3])   # the checkpoint has model/w/.ATTRIBUTES/VARIABLE_VALUE
    ```

    ## Fix
    Warm-start from the object keys, which init_from_checkpoint reads like any other key:
    ```python
    tf.compat.v1.train.init_from_checkpoint(ckpt, {"model/w/.ATTRIBUTES/VARIABLE_VALUE": "net/w"})
    ```
    """

    needs_checkpoint = True
    example_needs = "an object-based checkpoint written by tf.train.Checkpoint (see tests/test_check_scenarios.py)"
    code = "GL307"
    symbol = "object-based-checkpoint-restore"
    severity = "warning"
    summary = "variables found in an object-based checkpoint only through its object graph (fails under Estimator)"

    def check(self, ctx):
        if not ctx.checkpoint.object_based:
            return
        mapped = {}
        for mode in ctx.built_modes():
            for key in ctx.snapshots[mode].restore_keys:
                if key not in ctx.checkpoint.entries and ctx.ckpt_key(key) in ctx.checkpoint.entries:
                    mapped.setdefault(key, []).append(mode)
        if not mapped:
            return
        modes = tuple(m for m in ctx.built_modes() if any(m in ms for ms in mapped.values()))
        first = sorted(mapped)[0]
        yield self.finding(
            modes, ctx.checkpoint.prefix,
            f"{len(mapped)} restored variable(s) exist in this object-based checkpoint only under object-graph "
            f"names (e.g. '{first}' is '{ctx.ckpt_key(first)}'); a name-based Saver maps them by building a "
            "second Saver while restoring, which fails in a finalized graph such as Estimator's: "
            "`RuntimeError: Graph is finalized and cannot be modified`",
            fix="warm-start with tf.compat.v1.train.init_from_checkpoint(prefix, {object key: variable name}), "
                "or re-save the checkpoint with a name-based tf.compat.v1.train.Saver")


class SaverLeavesVariablesUninitialized(Rule):
    """A custom Saver leaves global variables out, so they are never initialized after a restore.

    ## What it does
    When the EstimatorSpec's scaffold (or the SAVERS collection) supplies a Saver with its own
    var_list, lists the global variables that Saver does not restore.

    ## Why is this bad
    When a checkpoint exists, MonitoredSession restores it *instead of* running the init op, so a
    global variable the Saver skips is never initialized, and session creation fails its ready
    check: `Variables not initialized: ...`. Evaluation and resumed training stop before the first step.

    ## Example
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        scale = tf.compat.v1.get_variable("scale", [], initializer=tf.compat.v1.ones_initializer())
        saver = tf.compat.v1.train.Saver([v for v in tf.compat.v1.global_variables() if v is not scale])
        return spec(mode, logits * scale, labels, scaffold=tf.compat.v1.train.Scaffold(saver=saver))
    ```

    ## Fix
    Restore every global variable (or make the skipped ones local variables):
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        scale = tf.compat.v1.get_variable("scale", [], initializer=tf.compat.v1.ones_initializer())
        saver = tf.compat.v1.train.Saver(tf.compat.v1.global_variables())
        return spec(mode, logits * scale, labels, scaffold=tf.compat.v1.train.Scaffold(saver=saver))
    ```
    """

    code = "GL308"
    symbol = "saver-leaves-variables-uninitialized"
    severity = "error"
    summary = "a custom Saver's var_list leaves global variables out: after a restore they are never initialized"

    # why, from graphview.uninitialized_after_restore: what session creation does instead
    _WHY = {
        "ready_for_local_init_op": "ready_for_local_init_op reports it uninitialized, so local_init_op never runs",
        "local_init_op": "local_init_op does not initialize it either",
    }

    def check(self, ctx):
        missing = {}
        for mode in ctx.built_modes():
            for name, why in ctx.snapshots[mode].uninitialized.items():
                missing.setdefault(name, (why, []))[1].append(mode)
        for name, (why, modes) in sorted(missing.items()):
            site = ctx.first_site(modes, name)
            yield self.finding(
                modes, name, f"'{name}' is a global variable that the {'/'.join(modes)} graph's custom Saver does "
                "not restore; when a checkpoint exists MonitoredSession restores it and runs neither init_op nor "
                f"init_fn, {self._WHY.get(why, why)}, and session creation fails: `Variables not initialized: {name}`",
                fix="add it to the Saver's var_list, make it a local variable, or initialize it in the scaffold's "
                    "local_init_op with a ready_for_local_init_op that does not check it",
                location=site, related=_branch(site))
