"""What GL401 and GL402 share for one Context: the graph views, the training step, and the
variables that are evaluation state.

How "training updates a variable" is decided (GL401, GL402). An update is an op that takes the
variable's handle (resource) or ref as the variable input of a state-changing kernel: the
optimizers' Apply*/ResourceApply*/SparseApply* ops, Assign*/AssignVariableOp*, Scatter*,
StridedSliceAssign, CountUpTo; found by walking the handle's consumers (through ops that pass the
handle on, like Identity/Switch/Enter). A variable's own initializer and Saver restores (the value
comes from RestoreV2) are not updates. Ops that take the handle into a function (If, While,
PartitionedCall, ...) might update it: they count as updates, so the rules stay silent.

 * When the snapshot records the EstimatorSpec's `train_op` and `loss` names (Snapshot.train_op,
   Snapshot.loss), training updates a variable when one of its update ops is an ancestor of the
   train op, the loss or a training hook's fetch: a forward walk from the few update ops (their
   consumers and control outputs) to those roots. The walk also crosses blocking containers
   (queues, gradient accumulators): an op on one leads on to the other ops on it, the takes
   among them, since a step that takes completes only once the puts ran. That is how an
   optimizer wrapper that applies the gradients outside the train op is seen to run:
   SyncReplicasOptimizer's train op dequeues a token that the chief's queue runner enqueues
   after the apply. The loss's ancestors, walked through op inputs from the loss and kept as a
   networkx DiGraph, then tell whether the loss depends on the variable at all, and whether
   every path to the loss passes through an op without a gradient.
 * Without those names (a spec whose train_op graphlint cannot name, e.g. a plain tensor), training updates a variable when the train graph
   has any update op for it. That can only err towards silence: an update op that the train op
   does not run still counts.

The ancestors of the train op are most of the train graph (gradients replay the forward pass),
so the train-op side is decided forward from the update ops, and only the loss's ancestors
(the forward pass) are ever walked whole, and only when there is a finding to explain.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from graphlint.findings import Related


class TrainingState:
    """Shared by GL401 and GL402 for one Context: the per-mode graph views and the training step."""

    def __init__(self, ctx):
        self.modes = {m: ctx.views[m] for m in ctx.built_modes() if ctx.views.get(m) is not None}
        train = ctx.built("train")
        self.training = self.modes["train"] if train and "train" in self.modes else None
        self.eval_state = None  # GL401's verdicts, {var: info}, filled once


def state(ctx) -> TrainingState:
    """The TrainingState of this Context, made on first use; the Context keeps it, so GL401 and
    GL402 share one and it dies with the Context."""
    if TrainingState not in ctx.memo:
        ctx.memo[TrainingState] = TrainingState(ctx)
    return ctx.memo[TrainingState]


@dataclass
class EvalState:
    name: str
    saved_in: tuple  # modes where it is a saved variable
    assigned_in: tuple  # non-train modes with an assign op for it
    assign_op: str
    assign_mode: str
    in_train: bool
    trainable: bool


def eval_state(ctx, st) -> dict:
    """{var: EvalState}: saved variables that other modes assign but training never updates."""
    if st.eval_state is not None:
        return st.eval_state
    st.eval_state = {}
    train = ctx.built("train")
    if st.training is None:
        return st.eval_state
    saved = defaultdict(list)
    for mode in st.modes:
        for name, var in ctx.snapshots[mode].variables.items():
            if var.saved:
                saved[name].append(mode)
    updates = {m: st.modes[m].updates(sorted(n for n, ms in saved.items() if m in ms))
               for m in st.modes if m != "train"}
    candidates = {}
    for name, modes in saved.items():
        assigned = [(m, updates[m][name]) for m in modes if m != "train"]
        assigned = [(m, u) for m, u in assigned if u.assigns and not u.optimizer]
        if assigned:
            candidates[name] = (modes, assigned)
    trained = st.training.trained(sorted(n for n in candidates if n in train.variables))
    for name, (modes, assigned) in sorted(candidates.items()):
        if trained.get(name):
            continue
        mode, upd = assigned[0]
        st.eval_state[name] = EvalState(
            name, tuple(modes), tuple(m for m, _ in assigned), upd.assigns[0], mode,
            name in train.variables, name in train.variables and train.variables[name].trainable)
    return st.eval_state


def train_reason(ctx, st, name):
    """Why training does not update `name`, as precisely as the snapshot allows: (text, related)."""
    training = st.training.training()
    if not training["precise"]:
        return "no op of the train graph updates it", ()
    found = st.training.loss_path(name) if training["loss"] else False
    if found is False:
        return "nothing the train op runs updates it", ()
    if found is None:
        return "the loss does not depend on it, and nothing the train op runs updates it", ()
    has_grad, blocker = found
    if has_grad:
        return ("the loss depends on it, but the train op does not update it (the optimizer was not given it, "
                "or its gradient is None)"), ()
    op_type = st.training.op_type(blocker)
    site = ctx.site("train", blocker)
    related = (Related(site, f"the path from it to the loss carries no gradient here ({op_type})"),) if site else ()
    return (f"the loss depends on it only through tensors or ops that carry no gradient (the first on the way: "
            f"'{blocker}', {op_type}), so no gradient reaches it"), related
