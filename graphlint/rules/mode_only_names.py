"""GL104 mode-only-names: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules import Rule
from graphlint.rules._group import by_cause, cause_key, cause_sites, listing
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
        rows = [r for r in ctx.mode_diff if r.cls == "other" and not self._explained(ctx, r)]
        others = {r.modes: tuple(m for m in ctx.built_modes() if m not in r.modes) for r in rows}
        sites = {}
        for modes in sorted(set(others)):
            sites[modes] = cause_sites(ctx, modes[0], [r.examples[0] for r in rows if r.modes == modes], others[modes])
        items = [(r, sites[r.modes].get(r.examples[0]) or ctx.first_site(r.modes, r.examples[0])) for r in rows]
        # Scopes that one line (under one `if`) built in some modes only are one cause.
        for _, group in by_cause(items, lambda it: (it[0].modes, cause_key(it[1]))):
            yield self._finding(group)

    def _explained(self, ctx, row) -> bool:
        """Every name of the row's scope that only its modes have is a variable a superseding rule
        reported (GL101: an EVAL-only saved variable), or one of that variable's own ops."""
        claimed = [n for n, modes in ctx.claims.get(self.code, {}).items() if set(row.modes) <= modes]
        if not claimed:
            return False
        first, *rest = (ctx.snapshots[m].ops for m in row.modes)
        others = [ctx.snapshots[m].ops for m in ctx.built_modes() if m not in row.modes]
        names = (n for n in first if n.split("/", 1)[0] == row.scope
                 and all(n in ops for ops in rest) and not any(n in ops for ops in others))
        return all(any(n == c or n.startswith(c + "/") for c in claimed) for n in names)

    def _finding(self, group):
        row, site = group[0]
        ops, variables = sum(r.ops for r, _ in group), sum(r.variables for r, _ in group)
        what = count(ops, "op") + (f" and {count(variables, 'variable')}" if variables else "")
        scopes = [r.scope + "/" for r, _ in group]
        where = f"under '{row.scope}'" if len(group) == 1 else f"under {len(group)} scopes ({listing(scopes)})"
        return self.finding(
            row.modes, row.scope + "/",
            f"{what} {where} {agree(ops + variables, 'exists', 'exist')} only in {'/'.join(row.modes)} "
            f"(e.g. {', '.join(row.examples)})",
            fix="build the same graph in every mode; let hooks decide at run time what to fetch",
            location=site, names=scopes)

