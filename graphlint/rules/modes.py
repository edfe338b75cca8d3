"""GL1xx: the graphs of TRAIN, EVAL and PREDICT disagree in ways that break restore."""

from __future__ import annotations

from collections import defaultdict

from graphlint.findings import Related
from graphlint.rules import Rule
from graphlint.source import enclosing_if

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
    ```python
    if not is_training:
        with tf.compat.v1.variable_scope("class_0"):
            count = tf.compat.v1.get_variable("sample_num", shape=[], initializer=tf.zeros_initializer())
    ```

    ## Fix
    Create the variable in every mode, or, for evaluation-only state, make it a local variable:
    ```python
    with tf.compat.v1.variable_scope("class_0"):
        count = tf.compat.v1.get_variable(
            "sample_num", shape=[], trainable=False, initializer=tf.zeros_initializer(),
            collections=[tf.compat.v1.GraphKeys.LOCAL_VARIABLES])
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


class _KeyMismatch(Rule):
    attr = ""

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
                    f"a checkpoint from one mode cannot be restored in another",
                    fix=f"make the {self.attr} independent of the mode and of per-mode params",
                    location=site, related=_branch(site))


def _fmt(value):
    return "[" + ", ".join("?" if d is None else str(d) for d in value) + "]" if isinstance(value, tuple) else str(value)


class ModeShapeMismatch(_KeyMismatch):
    """Saved variable with a different shape in different modes.

    ## What it does
    Compares the shape of every checkpoint key across the modes that restore it.

    ## Why is this bad
    The checkpoint holds the TRAIN shape; restoring it into an EVAL or PREDICT graph whose variable
    has another shape fails with `Assign requires shapes of both tensors to match`.
    This usually comes from hyper-parameters that differ between train and eval params.

    ## Example
    ```python
    hidden = params["hidden"] if mode == tf.estimator.ModeKeys.TRAIN else params["eval_hidden"]
    w = tf.compat.v1.get_variable("w", [8, hidden])
    ```

    ## Fix
    ```python
    w = tf.compat.v1.get_variable("w", [8, params["hidden"]])
    ```
    """

    code = "GL102"
    symbol = "mode-shape-mismatch"
    severity = "error"
    summary = "a saved variable has a different shape in different modes"
    attr = "shape"


class ModeDtypeMismatch(_KeyMismatch):
    """Saved variable with a different dtype in different modes.

    ## What it does
    Compares the dtype of every checkpoint key across the modes that restore it.

    ## Why is this bad
    Restore reads the dtype the checkpoint was written with; a variable of another dtype in the
    restoring graph fails at restore time.

    ## Example
    ```python
    dtype = tf.float16 if mode == tf.estimator.ModeKeys.PREDICT else tf.float32
    w = tf.compat.v1.get_variable("w", [8, 3], dtype=dtype)
    ```

    ## Fix
    Keep variables in one dtype and cast the value where a different precision is wanted:
    ```python
    w = tf.compat.v1.get_variable("w", [8, 3], dtype=tf.float32)
    w16 = tf.cast(w, tf.float16)
    ```
    """

    code = "GL103"
    symbol = "mode-dtype-mismatch"
    severity = "error"
    summary = "a saved variable has a different dtype in different modes"
    attr = "dtype"


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
    if mode == tf.estimator.ModeKeys.EVAL:
        with tf.compat.v1.variable_scope("debug"):
            tf.identity(logits, name="eval_logits")
    ```

    ## Fix
    Build the same graph in every mode and choose at run time what to fetch:
    ```python
    with tf.compat.v1.variable_scope("debug"):
        tf.identity(logits, name="eval_logits")
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
                row.modes, row.scope + ("/" if row.scope != "(top level)" else ""),
                f"{what} under '{row.scope}' exist only in {'/'.join(row.modes)} "
                f"(e.g. {', '.join(row.examples)})",
                fix="build the same graph in every mode; let hooks decide at run time what to fetch",
                location=ctx.first_site(row.modes, row.examples[0]))


def _count(n, word):
    return f"{n} {word}{'s' if n != 1 else ''}"
