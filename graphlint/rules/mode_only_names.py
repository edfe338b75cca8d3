"""GL104 mode-only-names: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules import Rule
from graphlint.wording import agree, count


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
            what = count(row.ops, "op") + (f" and {count(row.variables, 'variable')}" if row.variables else "")
            exist = agree(row.ops + row.variables, "exists", "exist")
            yield self.finding(
                row.modes, row.scope + "/",
                f"{what} under '{row.scope}' {exist} only in {'/'.join(row.modes)} "
                f"(e.g. {', '.join(row.examples)})",
                fix="build the same graph in every mode; let hooks decide at run time what to fetch",
                location=ctx.first_site(row.modes, row.examples[0]))

