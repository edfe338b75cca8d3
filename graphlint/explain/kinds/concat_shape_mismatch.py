"""InvalidArgumentError: ConcatOp : Dimensions of inputs should match: shape[0] = [2,3] vs. shape[1] =
[4,5] (TF 1.x; TF 2.x: "Dimension 0 in both shapes must be equal", and "Ranks of all input tensors
should match")."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import SHAPE, Pattern, shape

_CONCAT = Pattern(
    r"ConcatOp : (?:(?P<old>Dimensions of inputs should match)|Dimension (?P<dim>\d{1,9}) in both shapes must be "
    r"equal|(?P<rank>Ranks of all input tensors should match)): shape\[0\] = (?P<a>" + SHAPE + r") vs\. "
    r"shape\[(?P<i>\d{1,9})\] = (?P<b>" + SHAPE + r")"
)


class ConcatShapeMismatch(Kind):
    id = "concat-shape-mismatch"
    title = "A concat got inputs whose other dimensions differ"
    triggers = ("ConcatOp : ",)
    identity = ("first_shape", "other_shape")  # an eager op names no node
    data_dependent = True
    labels = {"first_shape": "shape of input 0", "other_input": "differing input",
              "other_shape": "shape of that input", "mismatch": "what differs"}
    meaning = (
        "A concat (tf.concat, ConcatV2) ran with inputs that differ in rank or in a dimension other "
        "than the axis they are joined along; every dimension except the axis must be equal. The "
        "shapes in the message are the ones the op met when it ran."
    )
    causes = (
        "Features of different batch sizes joined along the feature axis (a last, smaller batch of "
        "one input, or a tensor built with a fixed batch size), an embedding or one-hot input of "
        "another width than the others, or the wrong axis. An RNN state concatenated with inputs "
        "of another batch size gives it too."
    )
    fix = (
        "Find where the op is built (the node the error names, or your line in the traceback) and "
        "print the static shapes of its inputs there. Make the non-axis dimensions agree (the "
        "same batch size for every input, drop_remainder=True in batch(), reshape to a common "
        "rank), or join along the axis meant."
    )

    def scan(self, ctx, i, line):
        for m in ctx.matches(_CONCAT, line):
            mismatch = "rank" if m.group("rank") else (f"dimension {m.group('dim')}" if m.group("dim") is not None
                                                       else "a dimension other than the axis")
            self.add_op_error(ctx, i, line, m, {"first_shape": shape(m.group("a")), "other_input": m.group("i"),
                                                "other_shape": shape(m.group("b")), "mismatch": mismatch})
