"""NotFoundError: Key <name> not found in checkpoint (the V2 bundle's RestoreV2, and the reader)."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import INTERNAL_KEYS, N, Pattern, clean

_KEY = Pattern(r"\bKey ['\"`]?(?P<name>[^\s'\"`]" + N + r")['\"`]? not found in checkpoint\b")


class KeyNotFoundInCheckpoint(Kind):
    id = "key-not-found-in-checkpoint"
    title = "A variable of the graph is missing from the checkpoint"
    triggers = ("not found in checkpoint",)
    restore = True
    meaning = (
        "The Saver of the graph being run asked the checkpoint for a variable by name, and the "
        "checkpoint has no entry of that name, so the restore (the save/RestoreV2 op) failed. "
        "TensorFlow names only the first missing key; there may be more."
    )
    causes = (
        "In Estimator code the usual cause is a global variable (get_variable, tf.Variable) "
        "created only in some modes, for example inside `if mode != TRAIN:`. Training never "
        "created it, so the checkpoint lacks it, and evaluation or prediction fails at restore. "
        "Other causes are a variable or scope renamed since the checkpoint was written, a changed "
        "model or optimizer (new layers, Adam/Momentum slots), or a model_dir holding another "
        "model's checkpoint."
    )
    fix = (
        "Build the same variables in every mode and make only the fetching of results depend on "
        "the mode. Counters that only evaluation needs belong in local variables "
        "(tf.compat.v1.metrics, or collections=[LOCAL_VARIABLES]), which the Saver does not "
        "restore. To see what the checkpoint holds, compare the graph's variable names with "
        "tf.train.list_variables(checkpoint)."
    )

    def scan(self, ctx, i, line):
        for m in ctx.matches(_KEY, line):
            name = clean(m.group("name"))
            if name.startswith(INTERNAL_KEYS):
                continue
            d = ctx.restore_context(ctx.node_after(i, line, m.end()))
            d.pop("variable", None)  # the node is RestoreV2, whose first input is no variable
            self.add(ctx, (name,), i, line, m.start(), m.end(), d)
