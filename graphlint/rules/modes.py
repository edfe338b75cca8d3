"""GL1xx: the graphs of TRAIN, EVAL and PREDICT disagree in ways that break restore."""

from __future__ import annotations

from collections import defaultdict

from graphlint.findings import Related
from graphlint.rules import Rule
from graphlint.model.source import enclosing_if

_LOCAL_FIX = ("create it in every mode (outside any `if` on the mode), or, if it is evaluation-only "
              "state, keep it out of the checkpoint: collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES], "
              "trainable=False, or a tf.compat.v1.metrics op")


def _branch(site):
    """Related note for the Python `if` around a creation site, when there is one."""
    cond = enclosing_if(site)
    return (Related(cond, f"created under `{cond.code}`"),) if cond else ()


class EvalOnlySavedVariable(Rule):
    """Saved variable that the TRAIN graph never creates.

    ## What it does
    Finds checkpoint keys that the EVAL or PREDICT graph's Saver restores but the TRAIN graph
    does not create, so the checkpoints written by training cannot contain them.

    ## Why is this bad
    Evaluation, export and serving restore the training checkpoint. A global variable created
    only under `if not is_training:` is in the EVAL graph's Saver but never in the checkpoint,
    and restore fails hours later with `NotFoundError: Key ... not found in checkpoint`.

    ## Example
    A temperature that calibrates the logits at evaluation and serving time only:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        if mode != tf.estimator.ModeKeys.TRAIN:
            temperature = tf.compat.v1.get_variable("temperature", [], initializer=tf.ones_initializer())
            logits = logits / temperature
        return spec(mode, logits, labels)
    ```

    ## Fix
    Create the variable in every mode and use it where it is wanted. (Evaluation-only state,
    such as a counter that evaluation updates, belongs in a local variable instead:
    `collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES]`, or a `tf.compat.v1.metrics` op.)
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        temperature = tf.compat.v1.get_variable("temperature", [], trainable=False,
                                                initializer=tf.ones_initializer())
        if mode != tf.estimator.ModeKeys.TRAIN:
            logits = logits / temperature
        return spec(mode, logits, labels)
    ```
    """

    code = "GL101"
    symbol = "eval-only-saved-variable"
    severity = "error"
    summary = "a variable EVAL/PREDICT restores is never created by TRAIN, so the checkpoint lacks it"

    def check(self, ctx):
        train = ctx.built("train")
        if train is None:
            return
        missing = defaultdict(list)
        for mode in ("eval", "predict"):
            snap = ctx.built(mode)
            for key in sorted(snap.restore_keys) if snap else ():
                if key not in train.restore_keys:
                    missing[key].append(mode)
        for key, modes in sorted(missing.items()):
            var = ctx.snapshots[modes[0]].restore_keys[key].var_name
            site = ctx.first_site(modes, var)
            yield self.finding(
                modes, key,
                f"'{key}' is restored by the {'/'.join(modes)} graph but the train graph never creates it, "
                f"so the training checkpoint will not have it: restore fails with "
                f"`NotFoundError: Key {key} not found in checkpoint`",
                fix=_LOCAL_FIX, location=site, related=_branch(site))


SHAPE_CONSEQUENCE = (
    "a resource variable (TF2's default) restores it without an error but takes the checkpoint's shape, "
    "so the first op that checks shapes fails at run time, or results are silently wrong where none does; "
    "ref and partitioned variables fail at restore (`Assign requires shapes of both tensors to match`)")
DTYPE_CONSEQUENCE = "restore fails (`expected dtype ... does not equal original dtype ...`)"


class _KeyMismatch(Rule):
    attr = ""
    consequence = ""

    def check(self, ctx):
        modes = ctx.built_modes()
        keys = sorted({k for m in modes for k in ctx.snapshots[m].restore_keys})
        for key in keys:
            values = {m: getattr(ctx.snapshots[m].restore_keys[key], self.attr)
                      for m in modes if key in ctx.snapshots[m].restore_keys}
            if len(set(values.values())) > 1:
                shown = ", ".join(f"{m}: {_fmt(v)}" for m, v in values.items())
                var = ctx.snapshots[next(iter(values))].restore_keys[key].var_name
                site = ctx.first_site(values, var)
                yield self.finding(
                    tuple(values), key, f"'{key}' has a different {self.attr} per mode ({shown}); "
                    f"restoring one mode's checkpoint in another: {self.consequence}",
                    fix=f"make the {self.attr} independent of the mode and of per-mode params",
                    location=site, related=_branch(site))


def _fmt(value):
    return "[" + ", ".join("?" if d is None else str(d) for d in value) + "]" if isinstance(value, tuple) else str(value)


class ModeShapeMismatch(_KeyMismatch):
    """Saved variable with a different shape in different modes.

    ## What it does
    Compares the shape of every checkpoint key across the modes that restore it.

    ## Why is this bad
    The checkpoint holds the TRAIN shape. Restoring it into an EVAL or PREDICT graph whose variable
    has another shape does not fail for a resource variable (TF2's default): the variable silently
    takes the checkpoint's shape, and the first op that checks shapes fails at run time, or, where
    none does, predictions are silently wrong. Ref and partitioned variables fail at restore with
    `Assign requires shapes of both tensors to match`. This usually comes from hyper-parameters
    that differ between train and eval params.

    ## Example
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, spec

    params = {"units": 3, "eval_units": 4}


    def model_fn(features, labels, mode, params):
        units = params["units"] if mode == tf.estimator.ModeKeys.TRAIN else params["eval_units"]
        return spec(mode, linear(features, units), labels)   # w is [4, 3] in TRAIN, [4, 4] elsewhere
    ```

    ## Fix
    Size variables from params that are the same in every mode:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, spec

    params = {"units": 3}


    def model_fn(features, labels, mode, params):
        return spec(mode, linear(features, params["units"]), labels)
    ```
    """

    code = "GL102"
    symbol = "mode-shape-mismatch"
    severity = "error"
    summary = "a saved variable has a different shape in different modes"
    attr = "shape"
    consequence = SHAPE_CONSEQUENCE


class ModeDtypeMismatch(_KeyMismatch):
    """Saved variable with a different dtype in different modes.

    ## What it does
    Compares the dtype of every checkpoint key across the modes that restore it.

    ## Why is this bad
    Restore reads the dtype the checkpoint was written with; a variable of another dtype in the
    restoring graph fails at restore time.

    ## Example
    Serving in half precision:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, params, spec


    def model_fn(features, labels, mode, params):
        dtype = tf.float16 if mode == tf.estimator.ModeKeys.PREDICT else tf.float32
        w = tf.compat.v1.get_variable("w", [4, params["units"]], dtype=dtype)
        logits = tf.matmul(tf.cast(features["x"], dtype), w)
        return spec(mode, logits, labels)
    ```

    ## Fix
    Keep variables in one dtype and cast the value where a different precision is wanted:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, params, spec


    def model_fn(features, labels, mode, params):
        dtype = tf.float16 if mode == tf.estimator.ModeKeys.PREDICT else tf.float32
        w = tf.compat.v1.get_variable("w", [4, params["units"]], dtype=tf.float32)
        logits = tf.matmul(tf.cast(features["x"], dtype), tf.cast(w, dtype))
        return spec(mode, logits, labels)
    ```
    """

    code = "GL103"
    symbol = "mode-dtype-mismatch"
    severity = "error"
    summary = "a saved variable has a different dtype in different modes"
    attr = "dtype"
    consequence = DTYPE_CONSEQUENCE


class ModeOnlyNames(Rule):
    """Names that exist in some modes only and are not expected to.

    ## What it does
    Lists, by top scope, the ops and variables that some modes build and others do not, leaving
    out the expected ones (gradients, optimizer slots, global_step, metric state, summaries,
    save ops, and label-dependent ops that PREDICT cannot have).

    ## Why is this bad
    It is not always a bug, but it is the raw material of most of them: a hook, a restore or a
    warm start that expects such a name in another mode fails at run time.

    ## Example
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        if mode == tf.estimator.ModeKeys.EVAL:
            with tf.compat.v1.variable_scope("debug"):
                tf.identity(logits, name="eval_logits")
        return spec(mode, logits, labels)
    ```

    ## Fix
    Build the same graph in every mode and choose at run time what to fetch:
    ```python
    import tensorflow as tf

    from graphlint.rules.example_common import input_fn, linear, params, spec


    def model_fn(features, labels, mode, params):
        logits = linear(features, params["units"])
        with tf.compat.v1.variable_scope("debug"):
            tf.identity(logits, name="eval_logits")
        return spec(mode, logits, labels)
    ```
    """

    code = "GL104"
    symbol = "mode-only-names"
    severity = "info"
    summary = "ops or variables that exist in some modes only (unexpected classes)"

    def check(self, ctx):
        for row in ctx.mode_diff:
            if row.cls != "other":
                continue
            what = _count(row.ops, "op") if not row.variables else f"{_count(row.ops, 'op')} and {_count(row.variables, 'variable')}"
            yield self.finding(
                row.modes, row.scope + "/",
                f"{what} under '{row.scope}' exist only in {'/'.join(row.modes)} "
                f"(e.g. {', '.join(row.examples)})",
                fix="build the same graph in every mode; let hooks decide at run time what to fetch",
                location=ctx.first_site(row.modes, row.examples[0]))


def _count(n, word):
    return f"{n} {word}{'s' if n != 1 else ''}"
