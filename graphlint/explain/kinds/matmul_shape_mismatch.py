"""InvalidArgumentError: Matrix size-incompatible: In[0]: [2,3], In[1]: [4,5] (MatMul, BatchMatMul)."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import SHAPE, Pattern, shape

_MATMUL = Pattern(r"Matrix size-incompatible: In\[0\]: (?P<a>" + SHAPE + r"), In\[1\]: (?P<b>" + SHAPE + r")")


class MatmulShapeMismatch(Kind):
    id = "matmul-shape-mismatch"
    title = "A matrix multiplication got operands whose inner dimensions differ"
    triggers = ("Matrix size-incompatible",)
    identity = ("a_shape", "b_shape")  # an eager op names no node
    data_dependent = True
    labels = {"a_shape": "shape of a (In[0])", "b_shape": "shape of b (In[1])"}
    meaning = (
        "A MatMul or BatchMatMul op ran with inputs a and b whose shapes cannot be multiplied: the "
        "last dimension of a must equal the first (for a batch, the second to last) dimension of "
        "b. The shapes in the message are the ones the op met when it ran."
    )
    causes = (
        "A weight sized from one setting (params, a feature count, a vocabulary) multiplied with "
        "inputs of another size, for example features of another width in evaluation or serving "
        "than in training. A missing transpose (transpose_a/transpose_b) or a reshape that put "
        "the dimensions in another order gives the same error."
    )
    fix = (
        "Find where the op is built (the node the error names, or your line in the traceback) and "
        "print the static shapes of its inputs there (tensor.shape). Give the weight its size from "
        "the same setting the inputs use, and set the inputs' static shapes (placeholders, "
        "set_shape, a dataset's element spec) so a mismatch fails when the graph is built rather "
        "than when it runs."
    )

    def scan(self, ctx, i, line):
        for m in ctx.matches(_MATMUL, line):
            self.add_op_error(ctx, i, line, m, {"a_shape": shape(m.group("a")), "b_shape": shape(m.group("b"))})
