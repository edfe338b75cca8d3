"""The ops Estimator adds to a mode's graph around model_fn, so hooks look at the graph they really get.

Two moments matter to hooks (measured on TF 2.15.1 + tensorflow-estimator 2.15.0, and kept equal by
tests/test_estimator_graph.py):
- before hooks' begin(): TRAIN has the global step's read and the `loss` scalar summary; EVAL has
  the mean-of-loss metric, the grouped metric updates and the `eval_step` counter with its increment;
- before after_create_session()/before_run(): MonitoredSession has finalized the Scaffold (Saver,
  init, readiness and local-init ops, merged summaries) and the graph. graphlint builds these ops
  when a hook looks up a name the graph lacks without them (Session, below).
Each step calls the function Estimator (or TF's evaluation loop) calls, in the same order, so the
names come out the same, numbering included.
"""

from __future__ import annotations

from graphlint.model import estimator_standin, tfcompat
from graphlint.model.tfcompat import tf
from graphlint.tfpatch import estimator_internals, training
from graphlint.tfpatch.graph import unfinalize


def add_before_begin(spec, mode: str):
    """Add what Estimator builds after model_fn and before hooks' begin(); return the Scaffold the
    session will finalize (EVAL may replace the spec's, as Estimator does)."""
    if mode == "train":
        _train(spec)
    elif mode == "eval":
        return _eval(spec)
    return spec.scaffold


def _train(spec):
    """Estimator._train_model_default and _train_with_estimator_spec, graph part."""
    v1 = tf().compat.v1
    keys = v1.GraphKeys
    training.global_step_read()
    # Estimator adds its `loss` summary only when the user has none named so (TensorBoard's curve).
    if not any(s.op.name == "loss" for s in v1.get_collection(keys.SUMMARIES)):
        v1.summary.scalar("loss", spec.loss)
    v1.add_to_collection(keys.LOSSES, spec.loss)
    if not (spec.scaffold.saver or v1.get_collection(keys.SAVERS)):
        v1.add_to_collection(keys.SAVERS, v1.train.Saver(sharded=True, defer_build=True,
                                                         save_relative_paths=True))


def _eval(spec):
    """Estimator._evaluate_build_graph, then evaluation._evaluate_once up to its MonitoredSession."""
    v1 = tf().compat.v1
    metrics = _loss_metric()(dict(spec.eval_metric_ops or {}), spec.loss)
    update_op, _ = _metric_updates()(metrics)
    scaffold = spec.scaffold
    if scaffold and scaffold.local_init_op:
        training.eval_step()
        scaffold = v1.train.Scaffold(
            local_init_op=tf().group(scaffold.local_init_op, v1.train.Scaffold.default_local_init_op()),
            copy_from_scaffold=scaffold)
    eval_step = training.eval_step()
    if update_op is not None:
        eval_ops = [update_op, v1.assign_add(eval_step, 1, use_locking=True)]
        training.latest_eval_step_value(eval_ops)
    return scaffold


def _loss_metric():
    est = tfcompat.real_estimator()
    if est is None:
        return estimator_standin.verify_and_create_loss_metric
    return estimator_internals.loss_metric()


def _metric_updates():
    est = tfcompat.real_estimator()
    if est is None:
        return estimator_standin.extract_metric_update_ops
    return estimator_internals.metric_update_ops()


# Scaffold.finalize's arguments and the collection each falls back to, in its order.
_SCAFFOLD_OPS = (("init_op", "INIT_OP"), ("ready_op", "READY_OP"),
                 ("ready_for_local_init_op", "READY_FOR_LOCAL_INIT_OP"), ("local_init_op", "LOCAL_INIT_OP"),
                 ("summary_op", "SUMMARY_OP"), ("saver", "SAVERS"))


class Session:
    """The graph as the session creator hands it to hooks: finalized, with the Scaffold's ops.

    What the session creator does is finalize a copy of the Scaffold (the spec's own stays as the
    user left it) and with it the graph. Its default ops (an initializer, two readiness checks and
    a Saver over every variable) cost, on a model of many variables, as much as a quarter of
    model_fn's time and memory, and only a hook that looks one of them up can tell they exist. So
    open() finalizes the graph and runs TF's own check of each collection the Scaffold would take
    an op from (Scaffold.get_or_default, which fails on two candidates), building nothing; the
    ops are built, by Scaffold.finalize itself, at the first lookup they could answer."""

    def __init__(self, graph, scaffold):
        self.graph, self.scaffold, self.built = graph, scaffold, False

    def open(self) -> None:
        v1 = tf().compat.v1
        for arg, key in _SCAFFOLD_OPS:
            if getattr(self.scaffold, arg, None) is None:
                v1.train.Scaffold.get_or_default(arg, getattr(v1.GraphKeys, key), lambda: None)
        self.graph.finalize()

    def build(self) -> bool:
        """Add the Scaffold's ops, as Scaffold.finalize does; False when they are there already."""
        if self.built:
            return False
        self.built = True
        unfinalize(self.graph)
        try:
            final = tf().compat.v1.train.Scaffold(copy_from_scaffold=self.scaffold)
            final.finalize()
        finally:
            self.graph.finalize()  # still read-only for the hooks if the Scaffold failed
        for op in (final.ready_op, final.ready_for_local_init_op):
            # No session will run them: without this, TensorFlow's should-use check prints "Object was
            # never used" for each at interpreter exit (the Python API and the pytest plugin exit normally).
            getattr(op, "mark_used", lambda: None)()
        return True
