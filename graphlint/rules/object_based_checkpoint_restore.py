"""GL307 object-based-checkpoint-restore: the class docstring is the rule's documentation (docs/rules.md)."""

from __future__ import annotations

from graphlint.rules import Rule
from graphlint.wording import agree, count


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
        n = len(mapped)
        yield self.finding(
            modes, ctx.checkpoint.prefix,
            f"{count(n, 'restored variable')} {agree(n, 'exists', 'exist')} in this object-based checkpoint "
            f"only under object-graph names (e.g. '{first}' is '{ctx.ckpt_key(first)}'); a name-based Saver "
            f"maps {agree(n, 'it', 'them')} by building a "
            "second Saver while restoring, which fails in a finalized graph such as Estimator's: "
            "`RuntimeError: Graph is finalized and cannot be modified`",
            fix="warm-start with tf.compat.v1.train.init_from_checkpoint(prefix, {object key: variable name}), "
                "or re-save the checkpoint with a name-based tf.compat.v1.train.Saver")
