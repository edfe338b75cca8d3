"""ValueError: Tensor Tensor("<name>", ...) is not an element of this graph; for an Operation the
repr is its NodeDef, over several lines: 'Operation name: "init"' ... 'is not an element of this graph'."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import MAX_TEXT, N, PLACEHOLDER, Pattern

_ELEMENT_TENSOR = Pattern(r"Tensor Tensor\(\"(?P<name>[^\"\n]" + N + r")\"")
_ELEMENT_TAIL = " is not an element of this graph"
_OP_LOOKBACK = 400  # lines between "Operation name: ..." and "... is not an element of this graph"


class NotAnElementOfGraph(Kind):
    id = "not-an-element-of-graph"
    title = "A tensor or operation from another graph was used"
    triggers = (_ELEMENT_TAIL,)
    fetched = True
    labels = {"object": "object"}
    meaning = (
        "A session was asked to run or feed a tensor (or an operation) that belongs to a "
        "different tf.Graph than the session's. Each graph only runs its own ops."
    )
    causes = (
        "Objects kept across graphs: Estimator builds a new graph for each train, evaluate and "
        "predict call, so tensors captured from one model_fn call (in a hook's constructor, a "
        "global, a closure) are stale in the next. Other causes are a model loaded in one graph "
        "and used from another thread or web request, and tf.compat.v1.reset_default_graph() "
        "between building and running."
    )
    fix = (
        "Create or look up the tensors in the graph that runs them: in a hook, do it in begin() "
        "rather than in __init__, or pass them through the EstimatorSpec. Keep a reference to "
        "the graph and enter it with graph.as_default() when running from other threads."
    )

    def scan(self, ctx, i, line):
        found = False
        for m in ctx.matches(_ELEMENT_TENSOR, line):
            tail = line.find(_ELEMENT_TAIL, m.end(), m.end() + 600)
            if tail >= 0:
                d = {"object": "tensor"}
                if "feed_dict" in line[:m.start()]:
                    d["context"] = "feed_dict"
                self.add(ctx, (m.group("name"),), i, line, m.start(), tail + len(_ELEMENT_TAIL), d)
                found = True
        if not (found or "Tensor Tensor(" in line):
            self.scan_operation(ctx, i, line)

    def scan_operation(self, ctx, i, line):
        """The tail of an Operation's NodeDef repr: the name is on the "Operation name:" line above."""
        if not ctx.operation or i - ctx.operation[0] > _OP_LOOKBACK or PLACEHOLDER.search(ctx.operation[1]):
            return
        at, name = ctx.operation
        first = ctx.lines[at].strip()[:MAX_TEXT // 2]
        text = first if at == i else first + " … " + line.strip()[:MAX_TEXT // 2]
        ctx.add_text(self.id, (name,), at, text, {"object": "operation"})
