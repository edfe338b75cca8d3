"""What each op of one mode's live graph is for, decided from the graph's structure, not its names.

Called while the mode is built; the result is plain data ({op name: role}) kept on the Snapshot,
which the mode-diff classifier reads before it falls back to name patterns. Only ops with a
known role are listed. The first rule that gives an op a role wins, in this order:

 * save: every op in the name scope of a Saver's SaveV2/RestoreV2 ops (whatever the Saver is called);
 * init: the Scaffold's init/ready ops, as TF lists them in its INIT_OP, READY_OP, ... collections;
 * summary: summary ops, by op type and by the SUMMARIES collection;
 * moving-average / dropout: ops whose creation stack (op.traceback, TF's record of the Python call
   that created the op) passes through ExponentialMovingAverage.apply / tf.nn.dropout;
 * metric / local: metric and local variables (their collections), what they own, what assigns them,
   and the EstimatorSpec's eval_metric_ops;
 * optimizer (TRAIN): what the train op runs that the loss does not depend on (gradients, the update
   math of a hand-written optimizer, learning-rate schedules, gradient clipping), and so a variable
   only the train op reads or assigns, which is optimizer state (slots such as `<var>/adam_m`);
 * input: the tf.data pipeline input_fn builds (dataset and iterator ops, by op type), which input_fn may
   build differently per mode (`repeat()` and `shuffle()` in TRAIN only);
 * hook-output: an op nothing in the graph consumes that a hook of this mode fetches;
 * prediction (PREDICT): the spec's prediction and export output ops that feed nothing else.

Then each variable's role spreads to the ops under its name (initializer, reads), the initializer of
a variable without a role is init (what the Scaffold's init op runs, built or not), an unused read made
after an update takes the update's role, an op computed only from metric state is metric, and any op
whose every consumer has one role takes that role too (a constant that only a summary reads is
summary). hook-output and prediction do not spread: they stay on the outputs and the inputs made for them.
"""

from __future__ import annotations

from graphlint.model.links import Links
from graphlint.model.tfcompat import tf

SUMMARY_TYPES = frozenset({"ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummary", "AudioSummaryV2",
                           "MergeSummary", "TensorSummary", "TensorSummaryV2", "WriteSummary",
                           "WriteScalarSummary", "WriteHistogramSummary", "WriteImageSummary"})
_SAVER_TYPES = frozenset({"SaveV2", "RestoreV2", "SaveSlices", "RestoreSlice", "Save", "Restore"})
_STATE_ROLES = frozenset({"metric", "local"})
# Roles of what one mode computes for a consumer outside the graph: they stay on those ops (and the
# inputs TF made under their names for them). Spread to inputs they would also class the mode's own forward pass
# (a PREDICT-only cast in front of the logits), which is a real difference.
_OUTPUT_ROLES = frozenset({"hook-output", "prediction"})
_ITERATOR_TYPES = frozenset({"IteratorV2", "Iterator", "AnonymousIteratorV2", "AnonymousIteratorV3", "MakeIterator",
                             "IteratorGetNext", "OneShotIterator", "IteratorToStringHandle", "DeleteIterator"})
_INIT_COLLECTIONS = ("INIT_OP", "LOCAL_INIT_OP", "READY_OP", "READY_FOR_LOCAL_INIT_OP")
_ASSIGN_PREFIXES = ("Assign", "ResourceScatter", "Scatter")
# The TF calls whose ops have a role, {function: (source file, role)}: matched on the frames of the
# stack that creates each op (build.py's graph notes them, op.traceback for an op it did not see made).
CREATORS = {
    "apply": ("moving_averages.py", "moving-average"),
    "dropout": ("nn_ops.py", "dropout"), "dropout_v2": ("nn_ops.py", "dropout"), "_dropout": ("nn_ops.py", "dropout"),
}


def op_roles(graph, spec, fetched=frozenset(), predict=False, links=None) -> dict:
    """{op name: role} for the ops of `graph` whose role its structure shows. fetched: the op names
    the mode's hooks fetch; predict: the graph is PREDICT's, whose spec's outputs are its purpose;
    links: the graph's Links, when the caller has read them already."""
    links = links or Links(graph)
    ops, types = links.ops, links.types
    roles: dict = {}
    _claim(roles, _saver_ops(types))
    _claim(roles, _collection_ops(graph, _INIT_COLLECTIONS), "init")
    _claim(roles, {name: "summary" for name, kind in types.items() if kind in SUMMARY_TYPES})
    _claim(roles, _collection_ops(graph, ("SUMMARIES", "SUMMARY_OP")), "summary")
    _claim(roles, _created_by(graph, zip(types, ops), roles))
    _claim(roles, _state_variables(graph))
    _claim(roles, _metric_ops(spec), "metric")
    _claim(roles, _only_train_op(spec, links), "optimizer")
    _claim(roles, (name for name, kind in types.items() if _is_input_pipeline(kind)), "input")
    _claim(roles, _hook_outputs(links, fetched), "hook-output")
    if predict:
        _claim(roles, _prediction_outputs(graph, spec, links), "prediction")
    _spread_from_variables(graph, links, roles)
    _claim(roles, _initializers(graph), "init")  # those of variables without a role of their own
    _spread_to_reads_after(links, roles)
    _spread_to_inputs(links, roles)  # first, so what feeds the Scaffold's ready op stays init
    _spread_to_results(links, roles)
    _spread_to_inputs(links, roles)
    # In the graph's order: claims arrive from sets, whose order changes with the hash seed, and a
    # Snapshot must be the same for the same graph (recordings of it are compared byte for byte).
    ordered = {name: roles[name] for name in types if name in roles}
    ordered.update((name, roles[name]) for name in sorted(roles.keys() - types.keys()))  # not an op of the graph
    return ordered


def _is_input_pipeline(op_type: str) -> bool:
    return op_type.endswith(("Dataset", "DatasetV2", "DatasetV3", "DatasetV4")) or op_type in _ITERATOR_TYPES


def _claim(roles: dict, found, role: str = "") -> None:
    """Add roles the earlier rules did not decide: a {name: role} dict, or names with `role`."""
    items = found.items() if isinstance(found, dict) else ((n, role) for n in found)
    for name, r in items:
        roles.setdefault(name, r)


def _saver_ops(types) -> dict:
    scopes = tuple({n.rsplit("/", 1)[0] + "/" for n, kind in types.items() if kind in _SAVER_TYPES and "/" in n})
    return {n: "save" for n in types if n.startswith(scopes)} if scopes else {}


def _initializers(graph) -> set:
    """Each variable's initializer (TF's Variable.initializer): what the Scaffold's init ops run,
    whether or not they are built (estimator_ops.Session builds them only for a hook that asks)."""
    found = set()
    for v in _variables(graph):
        op = getattr(v, "initializer", None)
        if getattr(op, "graph", None) is graph:
            found.add(op.name)
    return found


def _variables(graph) -> list:
    keys = tf().compat.v1.GraphKeys
    return graph.get_collection(keys.GLOBAL_VARIABLES) + graph.get_collection(keys.LOCAL_VARIABLES)


def _collection_ops(graph, keys) -> set:
    names = set()
    for key in keys:
        for item in graph.get_collection(getattr(tf().compat.v1.GraphKeys, key)):
            op = getattr(item, "op", item)
            if hasattr(op, "name") and getattr(op, "graph", None) is graph:
                names.add(op.name)
    return names


def _created_by(graph, named_ops, roles) -> dict:
    """Ops created inside one of the CREATORS calls, from the creation stack of each op."""
    found, created = {}, getattr(graph, "gl_created", {})
    for name, op in named_ops:
        if name in roles:
            continue
        hit = created.get(name)
        role = hit[1] if hit is not None else _traceback_role(op)
        if role:
            found[name] = role
    return found


def _traceback_role(op) -> str:
    for frame in op.traceback:
        hit = CREATORS.get(frame.name)
        if hit and frame.filename.endswith(hit[0]):
            return hit[1]
    return ""


def _state_variables(graph) -> dict:
    keys = tf().compat.v1.GraphKeys
    out = {v.op.name: "local" for v in graph.get_collection(keys.LOCAL_VARIABLES)}
    out.update({v.op.name: "metric" for v in graph.get_collection(keys.METRIC_VARIABLES)})
    return out


def _metric_ops(spec) -> set:
    """The value and update ops of the EstimatorSpec's eval_metric_ops."""
    names = set()
    for pair in (getattr(spec, "eval_metric_ops", None) or {}).values():
        for item in tf().nest.flatten(pair):
            op = getattr(item, "op", item)
            if hasattr(op, "name"):
                names.add(op.name)
    return names


def _only_train_op(spec, links) -> set:
    """Ancestors of the train op that are not ancestors of the loss (nor the loss itself)."""
    train_op = getattr(spec, "train_op", None)
    loss = getattr(spec, "loss", None)
    if train_op is None or loss is None:
        return set()
    train_op = getattr(train_op, "op", train_op)
    return links.ancestors(train_op.name) - links.ancestors(loss.op.name)


def _hook_outputs(links, fetched) -> set:
    """Ops a hook fetches that nothing in the graph consumes: they exist for the hook alone (the
    tf.identity that names a tensor for LoggingTensorHook)."""
    return _with_own_inputs(links, [n for n in fetched if n in links.types and _only_read_by(links, n, ())])


def _with_own_inputs(links, names) -> set:
    """`names` and the inputs TF made under an op's own name for it and nothing else reads
    (tf.identity(0.001, name='lr')'s `lr/input`, tf.identity(variable)'s read)."""
    names = set(names)
    own = {i for n in names for i in links.inputs.get(n, ()) if i.startswith(n + "/")}
    return names | {o for o in own if _only_read_by(links, o, names)}


def _only_read_by(links, name, names) -> bool:
    return all(u in names for u in links.users(name)) and all(c in names for c in links.control_users(name))


def _prediction_outputs(graph, spec, links) -> set:
    """The ops of the spec's predictions and export outputs that feed nothing but each other, and
    the inputs made for them: what PREDICT computes for its caller alone (probabilities from logits)."""
    # `x if x is not None`, never `x or`: predictions may be a lone tensor, which has no truth value
    items = list(tf().nest.flatten(_or_empty(getattr(spec, "predictions", None))))
    for output in _or_empty(getattr(spec, "export_outputs", None)).values():
        for attr in ("outputs", "classes", "scores", "value"):  # PredictOutput, ClassificationOutput, RegressionOutput
            items.extend(tf().nest.flatten(_or_empty(getattr(output, attr, None))))
    names = {t.op.name for t in items if getattr(t, "graph", None) is graph}
    return _with_own_inputs(links, [n for n in names if _only_read_by(links, n, names)])


def _or_empty(value):
    return {} if value is None else value


def _spread_from_variables(graph, links, roles) -> None:
    """A variable's ops (`<var>/...`: initializer, reads) and the ops that assign it share its role."""
    variables = {v.op.name: roles[v.op.name] for v in _variables(graph) if v.op.name in roles}
    if not variables:
        return
    for name, kind in links.types.items():
        if name in roles:
            continue
        owner = _owner(name, variables)
        if owner is None and kind.startswith(_ASSIGN_PREFIXES) and links.inputs[name]:
            owner = links.inputs[name][0]  # the variable it writes, at any name (eval_step's AssignAdd)
        if owner in variables:
            roles[name] = variables[owner]


def _owner(name: str, variables: dict):
    parts = name.split("/")
    for i in range(len(parts) - 1, 0, -1):
        prefix = "/".join(parts[:i])
        if prefix in variables:
            return prefix
    return None


def _spread_to_reads_after(links, roles) -> None:
    """An op nothing uses, made under control dependencies, takes the one role its inputs and
    dependencies have (those with none aside): the value read back after `var.assign(...)` (a
    resource variable's assign returns one) belongs to the update, whoever made the update."""
    for name, controls in links.controls.items():
        if name in roles or not controls or links.control_users(name) or links.users(name):
            continue
        found = {roles.get(c) for c in controls} | {roles.get(i) for i in links.inputs[name]}
        found.discard(None)
        if len(found) == 1 and not found & _OUTPUT_ROLES:
            roles[name] = found.pop()


def _spread_to_results(links, roles) -> None:
    """An op computed only from metric (or local) state takes its role: a metric's value tensor
    (`mean/value`) reads its variables without assigning them. Constants are left to the next step."""
    types = links.types
    for name, inputs in links.inputs.items():
        if name in roles:
            continue
        found = {roles.get(i) for i in inputs if types.get(i) != "Const"}
        found |= {roles.get(c) for c in links.controls[name]}
        if len(found) == 1 and found <= _STATE_ROLES:
            roles[name] = found.pop()


def _spread_to_inputs(links, roles) -> None:
    """An op all of whose consumers have one role takes it. Consumers are created after their inputs,
    so visiting ops in reverse creation order decides consumers first."""
    for name in reversed(links.types):
        if name in roles:
            continue
        found = {roles.get(u) for u in links.users(name)} | {roles.get(c) for c in links.control_users(name)}
        if len(found) == 1 and None not in found and not found & _OUTPUT_ROLES:
            roles[name] = found.pop()
