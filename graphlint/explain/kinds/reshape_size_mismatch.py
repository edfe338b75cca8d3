"""InvalidArgumentError: Input to reshape is a tensor with 6 values, but the requested shape has 20
(or "... requires a multiple of 4", when the shape holds -1)."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import Pattern

_RESHAPE = Pattern(
    r"Input to reshape is a tensor with (?P<have>\d{1,20}) values, but the requested shape "
    r"(?:has (?P<want>\d{1,20})|requires a multiple of (?P<multiple>\d{1,20}))"
)


class ReshapeSizeMismatch(Kind):
    id = "reshape-size-mismatch"
    title = "A reshape asked for a shape of another number of values"
    triggers = ("Input to reshape is a tensor with",)
    identity = ("values", "requested")  # an eager op names no node
    data_dependent = True
    labels = {"values": "values in the input", "requested": "values the shape asks for"}
    meaning = (
        "A reshape ran on a tensor whose number of values differs from the number the requested "
        "shape holds (with -1 in the shape, the input's number of values is not a multiple of the "
        "other dimensions' product). A reshape never adds or drops values."
    )
    causes = (
        "A shape with a fixed batch size meeting a smaller last batch, or a shape computed from "
        "params (sequence length, image size, number of features) that differ from the data's. "
        "Data of another size in evaluation or serving than in training gives it only there."
    )
    fix = (
        "Find where the op is built (the node the error names, or your line in the traceback) and "
        "compare its input's static shape with the requested one. Use -1 for the batch dimension "
        "instead of a fixed batch size, compute the shape from tf.shape(x) of the same tensor, or "
        "make the data match the params."
    )

    def scan(self, ctx, i, line):
        for m in ctx.matches(_RESHAPE, line):
            want = m.group("want") or f"a multiple of {m.group('multiple')}"
            self.add_op_error(ctx, i, line, m, {"values": m.group("have"), "requested": want})
