"""InvalidArgumentError: Incompatible shapes: [2,3] vs. [4,5] (an element-wise op's broadcast)."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import SHAPE, Pattern, shape

_BROADCAST = Pattern(r"Incompatible shapes: (?P<a>" + SHAPE + r") vs\. (?P<b>" + SHAPE + r")")


class BroadcastShapeMismatch(Kind):
    id = "broadcast-shape-mismatch"
    title = "An element-wise op got shapes that do not broadcast"
    triggers = ("Incompatible shapes: ",)
    identity = ("x_shape", "y_shape")  # an eager op names no node
    data_dependent = True
    labels = {"x_shape": "shape of x", "y_shape": "shape of y"}
    meaning = (
        "An element-wise op (add, sub, mul, a comparison, a loss) ran with two inputs whose shapes "
        "cannot be broadcast: compared from the last dimension, each pair of dimensions must be "
        "equal or one of them 1. The shapes in the message are the ones the op met when it ran."
    )
    causes = (
        "Labels and predictions of different shapes ([batch] against [batch, 1], or another "
        "number of classes), a last batch smaller than the others meeting a tensor of a fixed "
        "batch size, or a per-mode setting that changed one side's size. Evaluation or prediction "
        "data of another shape than training data gives it only in that mode."
    )
    fix = (
        "Find where the op is built (the node the error names, or your line in the traceback) and "
        "compare the static shapes of its two inputs there. Reshape or squeeze one side explicitly "
        "(tf.reshape(labels, [-1, 1])) rather than relying on broadcasting, and use "
        "drop_remainder=True in batch() when a fixed batch size is assumed."
    )

    def scan(self, ctx, i, line):
        for m in ctx.matches(_BROADCAST, line):
            self.add_op_error(ctx, i, line, m, {"x_shape": shape(m.group("a")), "y_shape": shape(m.group("b"))})
