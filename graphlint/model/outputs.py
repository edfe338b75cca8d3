"""What EVAL and PREDICT hand back to their caller, and which variables those results are computed from.

GL403 asks it: state that training leaves stale changes a result only if a result is computed
from it. Estimator.evaluate returns the loss and the value of each eval metric, Estimator.predict
the predictions, and export_saved_model serves the export outputs; hook fetches, metric update
ops and anything else a mode runs are not results.

"Computed from" follows data, not control: from a result through op inputs to the variables it
reads, and from a variable on to the values its assigns in the same graph write (a metric's value
reads its local variables, which the update op fills from the predictions). A control dependency
only orders ops: a metric value made under `tf.control_dependencies([counter_update])` is not
computed from the counter.
"""

from __future__ import annotations

from graphlint.model.tfcompat import tf

# export_outputs classes keep their tensors under these attributes (PredictOutput, ClassificationOutput,
# RegressionOutput)
_EXPORT_ATTRS = ("outputs", "classes", "scores", "value")


def result_names(spec, mode: str) -> tuple:
    """The names of the tensors (or ops, for a metric held as an object) whose values `mode` returns."""
    if mode == "eval":
        items = [spec.loss] + [_metric_value(m) for m in (getattr(spec, "eval_metric_ops", None) or {}).values()]
    elif mode == "predict":
        items = list(tf().nest.flatten(_or_empty(getattr(spec, "predictions", None))))
        for output in _or_empty(getattr(spec, "export_outputs", None)).values():
            for attr in _EXPORT_ATTRS:
                items.extend(tf().nest.flatten(_or_empty(getattr(output, attr, None))))
    else:
        return ()
    names = set()
    for item in items:
        for leaf in item if isinstance(item, list) else [item]:
            name = getattr(leaf, "name", None)
            if isinstance(name, str):
                names.add(name)
    return tuple(sorted(names))


def _metric_value(metric):
    """A (value, update_op) pair's value; a Keras Metric object's variables (its result reads them)."""
    if isinstance(metric, (tuple, list)):
        return metric[0] if metric else None
    return [getattr(v, "handle", v) for v in getattr(metric, "variables", ())]


def _or_empty(value):
    # `x if x is not None`, never `x or`: predictions may be a lone tensor, which has no truth value
    return {} if value is None else value


def variables_read(graph, results, variables, writes) -> frozenset:
    """The names among `variables` whose values flow into the ops or tensors named in `results`.
    writes(name) gives the ops that write a variable (graphview's update ops), whose inputs the
    walk follows from the variable on."""
    stack = [_op(graph, name) for name in results]
    stack = [op for op in stack if op is not None]
    seen, found = set(), set()
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        stack.extend(t.op for t in op.inputs)
        if op.name in variables:
            found.add(op.name)
            stack.extend(w for w in (_op(graph, n) for n in writes(op.name)) if w is not None)
    return frozenset(found)


def _op(graph, name: str):
    try:
        return graph.get_operation_by_name(name.split(":")[0].lstrip("^"))
    except (KeyError, ValueError):
        return None
