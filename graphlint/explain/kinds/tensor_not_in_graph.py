"""KeyError: The name '<name>' refers to a Tensor which does not exist (a fetch, feed or
get_tensor_by_name of a name the graph lacks)."""

from graphlint.explain.kinds import Kind
from graphlint.explain.patterns import N, Pattern, clean

_TENSOR_MISSING = Pattern(
    r"The name ['\"]?(?P<name>[^\s'\"]" + N + r")['\"]? refers to a Tensor which does not exist\."
    r"(?: ?The operation, ['\"]?(?P<op>[^\s'\",]" + N + r")['\"]?, (?:(?P<noop>does not exist in the graph)"
    r"|exists but only has (?P<outputs>\d{1,9}) outputs))?"
)


class TensorNotInGraph(Kind):
    id = "tensor-not-in-graph"
    title = "A tensor was asked for by a name that the graph does not have"
    triggers = ("The name ",)
    fetched = True
    labels = {"operation": "operation", "outputs": "outputs the operation has"}
    meaning = (
        "Code looked up a tensor by its name, as a hook's fetch, a feed_dict key or with "
        "get_tensor_by_name. No operation of that name exists in the graph being run, or it "
        "exists but has fewer outputs than the index asked for."
    )
    causes = (
        "In Estimator code the op is often created only in some modes, or it got another name "
        "than expected. Re-entering tf.compat.v1.variable_scope('x') by its string name reuses "
        "the variable scope but opens a fresh, uniquified name scope ('x_1'), so its ops are "
        "named 'x_1/...'. A name scope or a layer created twice gets a '_1' suffix the same way."
    )
    fix = (
        "Keep the tensor objects instead of their names: pass them to the hook, or put them in "
        "the EstimatorSpec (eval_metric_ops), rather than rebuilding names as strings. If a name "
        "must be used, print [op.name for op in graph.get_operations()] to see the real one. "
        "Build the same ops in every mode that fetches them."
    )

    def scan(self, ctx, i, line):
        for m in ctx.matches(_TENSOR_MISSING, line):
            d = {}
            if m.group("op"):
                d["operation"] = clean(m.group("op"))
            if m.group("outputs"):
                d["outputs"] = m.group("outputs")
            self.add(ctx, (clean(m.group("name")),), i, line, m.start(), m.end(), d)
