"""ValueError: Tensor <name> (<var> in <prefix>) is not found in <path> checkpoint (init_from_checkpoint)."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import N, Pattern, clean

_WARM_START = Pattern(
    r"Tensor (?P<name>\S" + N + r")(?: \((?P<var>[^\s()]" + N + r") in (?P<prefix>[^\s()]" + N + r")\))?"
    r" is not found in (?P<path>\S{1,4000}) checkpoint\b"
)


class WarmStartTensorNotInCheckpoint(Kind):
    id = "warm-start-tensor-not-in-checkpoint"
    title = "Warm-start asked for a tensor the checkpoint does not have"
    triggers = (" is not found in ",)
    meaning = (
        "tf.compat.v1.train.init_from_checkpoint, which Estimator warm-starting uses, was given "
        "an assignment map that names a tensor missing from the checkpoint. Nothing was "
        "initialised from the checkpoint."
    )
    causes = (
        "Most often a typo or a stale name in the assignment map or WarmStartSettings. It also "
        "happens when the scopes differ between the old and the new model, or when the path "
        "points at the wrong checkpoint."
    )
    fix = (
        "Print the checkpoint's names with tf.train.list_variables(checkpoint). Then correct the "
        "map so that each checkpoint-side name is one of them."
    )

    def scan(self, ctx, i, line):
        for m in ctx.matches(_WARM_START, line):
            d = {"checkpoint": clean(m.group("path"))}
            if m.group("var"):
                d["variable"] = m.group("var")
            self.add(ctx, (clean(m.group("name")),), i, line, m.start(), m.end(), d)
