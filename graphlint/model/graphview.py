"""One mode's live graph, asked only the questions the rules ask (see rules/_training.py for how
"training updates a variable" is decided). Every answer is plain, picklable data, so the same
questions can be put to a graph that a worker process holds (graphlint/model/parallel.py) and the
report cannot depend on where the graph was built."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from graphlint.model.outputs import variables_read
from graphlint.tfpatch.variables import control_outputs, is_ref_dtype

_OPTIMIZER = re.compile(r"^(Resource)?(Sparse)?Apply[A-Z]\w*$")
_ASSIGN = re.compile(r"^(Assign(Add|Sub)?(VariableOp)?|(Resource)?Scatter[A-Z]\w*|(Resource)?StridedSliceAssign"
                     r"|(Resource)?CountUpTo)$")
_RESOURCE_READS = frozenset({"ReadVariableOp", "ResourceGather", "ResourceGatherNd", "VarIsInitializedOp",
                             "VariableShape", "DestroyResourceOp", "IsVariableInitialized"})
_RESTORES = frozenset({"RestoreV2", "Restore", "RestoreSlice"})
_NO_GRADIENT = frozenset({"StopGradient", "PreventGradient"})
# Containers whose take (dequeue, take_grad) blocks until puts (enqueue, apply_grad) gave it enough:
# queues, gradient accumulators, barriers; their ops share the container's handle (a resource, or a
# string ref for the v1 kernels).
_BLOCKING_CONTAINER = re.compile(r"^(\w*Queue(V2)?|(Resource|Sparse)?ConditionalAccumulator|Barrier)$")

@dataclass
class _Updates:
    assigns: list = field(default_factory=list)  # Assign*/Scatter*/... op names (not the initializer)
    optimizer: list = field(default_factory=list)  # Apply* op names
    opaque: list = field(default_factory=list)  # ops that take the handle into a function: may update

    @property
    def all(self):
        return self.assigns + self.optimizer + self.opaque


def _is_ref(dtype) -> bool:
    return is_ref_dtype(dtype)


def _carries(tensor, resource: bool) -> bool:
    """Does this tensor carry the variable itself (its handle or ref), not a value read from it?"""
    return tensor.dtype.name == "resource" if resource else _is_ref(tensor.dtype)


def _from_restore(op) -> bool:
    """A write whose value comes (through Identity ops) from a Saver's restore op."""
    if len(op.inputs) < 2:
        return False
    src = op.inputs[1].op
    for _ in range(4):
        if src.type in _RESTORES:
            return True
        if src.type != "Identity" or not src.inputs:
            return False
        src = src.inputs[0].op
    return False


def _updates(var_op, initializer: str) -> _Updates:
    """The ops that update the variable whose op is var_op (handle or ref consumers, passed-on handles)."""
    out = _Updates()
    resource = var_op.outputs[0].dtype.name == "resource"
    stack, seen = [var_op.outputs[0]], set()
    while stack:
        tensor = stack.pop()
        for consumer in tensor.consumers():
            if consumer.name in seen:
                continue
            seen.add(consumer.name)
            kind = consumer.type
            optimizer = _OPTIMIZER.match(kind)
            writes = optimizer or _ASSIGN.match(kind)
            # only a write asks which input the variable is (op.inputs makes a Tensor per input)
            first = bool(writes) and bool(consumer.inputs) and consumer.inputs[0] is tensor
            if first and optimizer:
                out.optimizer.append(consumer.name)
            elif first and writes:
                if consumer.name != initializer and not _from_restore(consumer):
                    out.assigns.append(consumer.name)
            elif any(_carries(t, resource) for t in consumer.outputs):
                stack.extend(t for t in consumer.outputs if _carries(t, resource))  # Identity, Switch, Enter...
            elif resource and kind not in _RESOURCE_READS:
                out.opaque.append(consumer.name)  # If, While, PartitionedCall: the function may write it
            # a ref consumed by any other op is read (auto-dereferenced)
    return out


class _ModeState:
    """Update ops per variable for one mode's live graph, computed on first use."""

    def __init__(self, graph):
        from graphlint.model.tfcompat import tf

        keys = tf().compat.v1.GraphKeys
        self.graph = graph
        self.initializers = {}
        for v in itertools.chain(graph.get_collection(keys.GLOBAL_VARIABLES),
                                 graph.get_collection(keys.LOCAL_VARIABLES)):
            init = getattr(v, "initializer", None)
            if init is not None and getattr(v, "op", None) is not None:
                self.initializers[v.op.name] = init.name
        self._updates = {}

    def updates(self, var_name: str) -> _Updates:
        if var_name not in self._updates:
            try:
                op = self.graph.get_operation_by_name(var_name)
            except (KeyError, ValueError):
                self._updates[var_name] = _Updates()
            else:
                self._updates[var_name] = _updates(op, self.initializers.get(var_name, ""))
        return self._updates[var_name]


class _Training:
    """What the train graph's training step runs (precise only with the spec's train_op recorded)."""

    def __init__(self, snap, graph):
        self.graph = graph
        self.loss = _op_name(getattr(snap, "loss", "") or "")
        train_op = _op_name(getattr(snap, "train_op", "") or "")
        self.precise = bool(train_op) and _has_op(graph, train_op)
        roots = {train_op, self.loss} | {_op_name(f.name) for f in snap.fetches if f.resolved}
        self.roots = {r for r in roots if r and _has_op(graph, r)}
        self._dead = set()  # ops known not to reach any root
        self._loss_graph = None

    def runs(self, op_name: str) -> bool:
        """Does a training step run this op? (It is an ancestor of the train op, the loss or a fetch.)"""
        if not self.precise:
            return True  # without the train op, any update op in the train graph counts
        start = self.graph.get_operation_by_name(op_name)
        stack, seen = [start], set()
        while stack:
            op = stack.pop()
            if op.name in self.roots:
                return True
            if op.name in seen or op.name in self._dead:
                continue
            seen.add(op.name)
            stack.extend(c for t in op.outputs for c in t.consumers())
            stack.extend(control_outputs(op))
            stack.extend(_container_peers(op))
        self._dead |= seen
        return False

    def loss_graph(self):
        """The loss's ancestors as a networkx DiGraph (edges: producer -> consumer), walked from the
        loss through op inputs and control inputs. Edges that carry no gradient are marked."""
        if self._loss_graph is None:
            import networkx as nx

            g = nx.DiGraph()
            if self.loss and _has_op(self.graph, self.loss):
                stack, seen = [self.graph.get_operation_by_name(self.loss)], set()
                while stack:
                    op = stack.pop()
                    if op.name in seen:
                        continue
                    seen.add(op.name)
                    g.add_node(op.name, type=op.type)
                    for t in op.inputs:
                        g.add_edge(t.op.name, op.name, grad=_differentiable(t) and op.type not in _NO_GRADIENT)
                        stack.append(t.op)
                    for c in op.control_inputs:
                        g.add_edge(c.name, op.name, grad=False)
                        stack.append(c)
            self._loss_graph = g
        return self._loss_graph

    def loss_path(self, var_name: str):
        """None when the loss does not depend on the variable; else (gradient_path_exists, blocker op)."""
        import networkx as nx

        g = self.loss_graph()
        if var_name not in g or not nx.has_path(g, var_name, self.loss):
            return None
        grad_only = nx.subgraph_view(g, filter_edge=lambda u, v: g[u][v]["grad"])
        if nx.has_path(grad_only, var_name, self.loss):
            return True, None
        path = nx.shortest_path(g, var_name, self.loss)
        blocker = next((v for u, v in zip(path, path[1:]) if not g[u][v]["grad"]), None)
        return False, blocker


def _container_peers(op) -> list:
    """The other ops on the blocking containers `op` puts into or takes from. A step that takes from
    a container completes only once puts have filled it, so whatever makes the puts runs while
    training makes progress (SyncReplicasOptimizer: the train op dequeues a token that the chief's
    queue runner enqueues only after applying the aggregated gradients; a queue-runner input
    pipeline: the train op dequeues what the runners' enqueue ops produce)."""
    return [peer for t in op.inputs if _BLOCKING_CONTAINER.match(t.op.type)
            for peer in t.consumers() if peer is not op]


def _differentiable(tensor) -> bool:
    """tf.gradients only flows through floating, complex, resource and variant tensors."""
    dt = tensor.dtype.base_dtype
    return dt.is_floating or dt.is_complex or dt.name in ("resource", "variant")


def _op_name(name: str) -> str:
    return name.split(":")[0].lstrip("^")


def _has_op(graph, name: str) -> bool:
    try:
        graph.get_operation_by_name(name)
        return True
    except (KeyError, ValueError):
        return False


class GraphView:
    """The queries rules make of one mode's live graph; Answers asks them all before the graph is
    dropped, and the rules read the Answers."""

    def __init__(self, graph, sites, snap):
        self.graph, self._sites, self._snap = graph, sites, snap
        self._state = None
        self._training = None

    def _mode_state(self) -> _ModeState:
        if self._state is None:
            self._state = _ModeState(self.graph)
        return self._state

    def _train(self) -> _Training:
        if self._training is None:
            self._training = _Training(self._snap, self.graph)
        return self._training

    def stacks(self, names) -> list:
        """Every user frame that created each op, outermost first (() where unknown): as the graph
        noted it while the op was made, else from TF's record."""
        if self._sites is None:
            return [() for _ in names]
        created = getattr(self.graph, "gl_created", {})
        out = []
        for name in map(_op_name, names):
            hit = created.get(name)
            if hit is not None:
                out.append(self._sites.from_raw_stack(hit[0]))
                continue
            try:
                op = self.graph.get_operation_by_name(name)
            except (KeyError, ValueError):
                op = None
            out.append(self._sites.stack_from_op(op) if op is not None else ())
        return out

    def updates(self, names) -> dict:
        """{variable: _Updates} for the variable op names given."""
        state = self._mode_state()
        return {n: state.updates(n) for n in names}

    def training(self) -> dict:
        """What the train step is known to be: {'precise': bool, 'loss': op name or ''}."""
        t = self._train()
        return {"precise": t.precise, "loss": t.loss}

    def trained(self, names) -> dict:
        """{variable: does a training step run one of its update ops}."""
        state, t = self._mode_state(), self._train()
        return {n: any(t.runs(op) for op in state.updates(n).all) for n in names}

    def runs(self, ops) -> dict:
        t = self._train()
        return {op: t.runs(op) for op in ops}

    def loss_path(self, var_name: str):
        return self._train().loss_path(var_name)

    def results_read(self) -> frozenset:
        """The variables whose values flow into what this mode returns (EVAL, PREDICT; model/outputs.py)."""
        state = self._mode_state()
        return variables_read(self.graph, self._snap.results, self._snap.variables, lambda n: state.updates(n).all)

    def restore_ops(self) -> dict:
        """{checkpoint key: name of the RestoreV2 op that reads it}, first op wins."""
        from graphlint.model.tfcompat import tf

        found = {}
        for name, op_type in self._snap.ops.items():
            if op_type != "RestoreV2":
                continue
            try:
                names = self.graph.get_operation_by_name(name).inputs[1].op
                values = tf().make_ndarray(names.get_attr("value")).ravel()
            except (KeyError, ValueError, IndexError, TypeError):
                continue
            for value in values:
                found.setdefault(value.decode() if isinstance(value, bytes) else str(value), name)
        return found


class Answers:
    """Every answer a rule may get from one mode's GraphView, computed before the graph is dropped,
    with GraphView's methods. Holding these instead of the live graphs keeps the process tree at
    one graph at a time, as Estimator (and the floor) is: the graph is most of the memory.

    The questions are bounded by the snapshot: update ops of the mode's variables, whether training
    runs them, the loss path of every variable training leaves alone (the only ones GL401/GL402
    explain), the restore ops, and the creation site of every op (a finding may name any op, e.g.
    the first of a mode-only scope). A name outside those gets GraphView's answer for a name the
    graph does not have."""

    def __init__(self, view: "GraphView"):
        snap = view._snap
        names = sorted(snap.ops)
        self._stacks = dict(zip(names, view.stacks(names)))  # where a finding's cause is (rules/_group.py)
        # An op's site is the innermost frame of its user stack (the same Site: SiteFinder caches them).
        self._sites = {n: (stack[-1] if stack else None) for n, stack in self._stacks.items()}
        self._user_lines = frozenset((s.file, s.line) for stack in self._stacks.values() for s in stack)
        self._types = snap.ops
        variables = sorted(snap.variables)
        self._updates = view.updates(variables)
        self._training = view.training()
        self._trained, self._runs, self._loss_paths = {}, {}, {}
        if snap.mode == "train":
            self._trained = view.trained(variables)
            self._runs = view.runs(sorted({op for u in self._updates.values() for op in u.all}))
            if self._training["loss"]:
                self._loss_paths = {n: view.loss_path(n) for n in variables if not self._trained[n]}
        self._results_read = view.results_read() if snap.mode != "train" else frozenset()
        self._restore_ops = view.restore_ops()

    def sites(self, names) -> list:
        return [self._sites.get(_op_name(n)) for n in names]

    def stacks(self, names) -> list:
        return [self._stacks.get(_op_name(n), ()) for n in names]

    def user_lines(self) -> frozenset:
        return self._user_lines

    def op_type(self, name: str):
        return self._types.get(name)

    def updates(self, names) -> dict:
        return {n: self._updates.get(n) or _Updates() for n in names}

    def training(self) -> dict:
        return dict(self._training)

    def trained(self, names) -> dict:
        return {n: self._trained.get(n, False) for n in names}

    def runs(self, ops) -> dict:
        return {op: self._runs.get(op, not self._training["precise"]) for op in ops}

    def loss_path(self, var_name: str):
        return self._loss_paths.get(var_name)

    def results_read(self) -> frozenset:
        return self._results_read

    def restore_ops(self) -> dict:
        return dict(self._restore_ops)


# --- what initializes a variable a Saver does not restore ------------------------------------
# SessionManager.prepare_session, after a restore, runs neither init_op nor init_fn (with its
# init_feed_dict): those are for a session without a checkpoint. It runs local_init_op, and only
# when ready_for_local_init_op reports nothing uninitialized; Scaffold.finalize's defaults are a
# ready_for_local_init_op that checks every global variable and a local_init_op that initializes
# local variables and tables only.
_IS_INITIALIZED = frozenset({"IsVariableInitialized", "VarIsInitializedOp"})
BLOCKED = "ready_for_local_init_op"  # local_init_op never runs: this check reports the variable(s)
NOT_IN_LOCAL_INIT = "local_init_op"  # local_init_op runs but writes no value to the variable


def uninitialized_after_restore(graph, scaffold, names) -> dict:
    """{variable: why it stays uninitialized after a restore} for the global variables `names`
    that the Saver does not restore; a variable that local_init_op initializes is left out."""
    if not names:
        return {}
    from graphlint.model.tfcompat import tf

    keys = tf().compat.v1.GraphKeys
    ready_local = _scaffold_op(graph, scaffold, "_ready_for_local_init_op", keys.READY_FOR_LOCAL_INIT_OP)
    local_init = _scaffold_op(graph, scaffold, "_local_init_op", keys.LOCAL_INIT_OP)
    if ready_local is None or _checked_variables(ancestors(ready_local), names):
        return {n: BLOCKED for n in names}
    runs = ancestors(local_init) if local_init is not None else {}
    return {n: NOT_IN_LOCAL_INIT for n in names if not _written_by(graph, n, runs)}


def _scaffold_op(graph, scaffold, attr, collection_key):
    """The op the Scaffold will use: its own, else the collection's one; None means the default."""
    op = getattr(scaffold, attr, None)
    if op is None:
        found = graph.get_collection(collection_key)
        op = found[0] if len(found) == 1 else None
    return getattr(op, "op", op)  # a Tensor (ready ops usually are) -> its op


def ancestors(*roots) -> dict:
    """{name: op} of every op that running the `roots` runs (themselves included): input and
    control-input producers, transitively."""
    stack, seen = list(roots), {}
    while stack:
        op = stack.pop()
        if op.name not in seen:
            seen[op.name] = op
            stack.extend(t.op for t in op.inputs)
            stack.extend(op.control_inputs)
    return seen


def _checked_variables(ops: dict, names) -> set:
    """Which of `names` an is-initialized op among `ops` asks about (report_uninitialized_variables
    makes one per variable, on the variable's ref or resource handle)."""
    asked = {_source_variable(op.inputs[0].op) for op in ops.values() if op.type in _IS_INITIALIZED and op.inputs}
    return set(names) & asked


def _source_variable(op) -> str:
    while op.type == "Identity" and op.inputs:  # a ref or handle passed on unchanged
        op = op.inputs[0].op
    return op.name


def _written_by(graph, name: str, ops: dict) -> bool:
    """Does one of `ops` assign the variable (its initializer, or any other assign)?"""
    try:
        var_op = graph.get_operation_by_name(name)
    except (KeyError, ValueError):
        return False
    return any(w in ops for w in _updates(var_op, initializer="").assigns)
