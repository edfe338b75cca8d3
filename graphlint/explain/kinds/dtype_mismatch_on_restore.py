"""A restored tensor's dtype differs from the checkpoint's (TF 2.x bundle and TF 1.x wordings)."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import N, Pattern, clean

_DTYPE_V2 = Pattern(
    r"tensor_name = (?P<name>[^\s;]" + N + r"); expected dtype (?P<graph>\w{1,40}) does not equal "
    r"original dtype (?P<ckpt>\w{1,40})"
)
_DTYPE_V1 = Pattern(
    r"Expected to restore a tensor of type (?P<graph>\w{1,40}), got a tensor of type (?P<ckpt>\w{1,40}) "
    r"instead: tensor_name = (?P<name>\S" + N + r")"
)


class DtypeMismatchOnRestore(Kind):
    id = "dtype-mismatch-on-restore"
    title = "A variable's dtype differs from the checkpoint's"
    triggers = ("dtype", "tensor of type")
    restore = True
    labels = {"graph_dtype": "dtype in the graph", "checkpoint_dtype": "dtype in the checkpoint"}
    meaning = (
        "The restore expected a tensor of one dtype but the checkpoint stores it with another. "
        "In the details, graph_dtype is the variable's dtype in the current graph and "
        "checkpoint_dtype the stored one."
    )
    causes = (
        "The variable is now created with a different dtype than when the checkpoint was "
        "written. Typical examples are global_step as int32 instead of int64, and float64 "
        "instead of float32 after a change of floatx or of an initializer's dtype."
    )
    fix = (
        "Create the variable with the checkpoint's dtype; the checkpoint reader "
        "(tf.train.load_checkpoint(path).get_variable_to_dtype_map()) shows the stored ones. "
        "Cast where another dtype is needed instead of changing the variable."
    )

    def scan(self, ctx, i, line):
        for pattern in (_DTYPE_V2, _DTYPE_V1):
            for m in ctx.matches(pattern, line):
                d = ctx.node_after(i, line, m.end())
                d.pop("variable", None)
                d.update(graph_dtype=m.group("graph"), checkpoint_dtype=m.group("ckpt"))
                self.add(ctx, (clean(m.group("name")),), i, line, m.start(), m.end(), ctx.restore_context(d))
