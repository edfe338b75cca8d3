"""Saver.restore's wrapper: "Restoring from checkpoint failed. This is most likely due to ...";
it counts only when the error it wraps is not in the log."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import Pattern

_RESTORE_WRAP = Pattern(
    r"Restoring from checkpoint failed\. This is most likely due to (?P<why>a Variable name or other graph "
    r"key that is missing|a mismatch between the current graph and the graph)"
)


class RestoreFailed(Kind):
    id = "restore-failed"
    title = "Restoring from the checkpoint failed"
    triggers = ("Restoring from checkpoint failed",)
    wraps_restore = True
    identity = ("reason",)  # never named: it never takes a name either
    labels = {"reason": "reason"}
    meaning = (
        "Saver.restore failed and wrapped the original error in this message. The original "
        "error is not in the log; it may have been cut off."
    )
    causes = (
        "Reason missing-key: a variable of the graph is missing from the checkpoint. Reason "
        "graph-mismatch: the graph no longer matches the checkpoint, for example a changed shape "
        "or dtype."
    )
    fix = (
        "Find the part of the message after 'Original error:' in the full log; it names the "
        "variable concerned. Then compare the graph's variables with "
        "tf.train.list_variables(checkpoint)."
    )

    def scan(self, ctx, i, line):
        for m in ctx.matches(_RESTORE_WRAP, line):
            why = "missing-key" if m.group("why").startswith("a Variable") else "graph-mismatch"
            self.add(ctx, (), i, line, m.start(), m.end(), ctx.restore_context({"reason": why}))
