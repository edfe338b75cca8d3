"""ValueError: Tensor("a:0", ...) must be from the same graph as Tensor("b:0", ...)."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import TENSOR_REPR

_SAME_GRAPH = " must be from the same graph as "


class TensorsFromDifferentGraphs(Kind):
    id = "tensors-from-different-graphs"
    title = "An op was built from tensors of two different graphs"
    triggers = (_SAME_GRAPH,)
    meaning = (
        "An operation was given inputs that belong to different tf.Graph objects. Every input of "
        "an op must come from the same graph as the op."
    )
    causes = (
        "A tensor or variable created outside model_fn, or in an earlier Estimator call, was "
        "mixed with tensors of the graph Estimator is building now. A tensor kept across "
        "tf.compat.v1.reset_default_graph() does the same."
    )
    fix = (
        "Create every tensor that model_fn uses inside model_fn (and data tensors inside "
        "input_fn). Pass plain Python or numpy values, not tensors, from one call to the next."
    )

    def scan(self, ctx, i, line):
        pos = line.find(_SAME_GRAPH)
        while pos >= 0 and not ctx.full():
            at = line.rfind('Tensor("', max(0, pos - 1200), pos)
            before = TENSOR_REPR.match(line, at) if at >= 0 else None
            after = TENSOR_REPR.match(line, pos + len(_SAME_GRAPH))
            if before or after:
                names = (before.group("name") if before else "", after.group("name") if after else "")
                self.add(ctx, names, i, line, pos, pos + len(_SAME_GRAPH))
            pos = line.find(_SAME_GRAPH, pos + len(_SAME_GRAPH))
