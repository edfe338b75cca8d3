"""tf.Graph._create_op_internal (tensorflow.python.framework.ops.Graph), overridden on a subclass.

Every op TensorFlow builds in graph mode passes through Graph._create_op_internal (create_op,
the op-def library, Keras layers): overriding it on a subclass of tf.Graph sees each op as it is
made, with the Python frame that made it, which is ten times cheaper than reading op.traceback
afterwards. Name scopes are seen through the public Graph.name_scope, overridden on the same
subclass: it is where TensorFlow turns a requested scope name into the one it uses
(variable_scope, name_scope and Keras layers all reach it), so a re-entered scope is seen
without patching any scope API. Nothing is patched on tf.Graph itself: only graphs made by
recording_graph() behave differently.

While a recording graph makes an op, ops._create_c_op (tensorflow.python.framework.ops) does not
capture TensorFlow's own Python traceback for it: graphlint notes each op's creation itself (above),
and TF's capture, which turns every frame of the stack into C++ strings, was 6% of building a 100k-op
graph (docs/performance.md). The op gets one trace shared by the whole graph instead (where the graph
was made), never none: TF reads an op's trace in a few error messages (a variable made twice: "...
Originally defined at:") and would fail differently on None or crash on an empty one. Those
messages' first lines, all graphlint reports of an exception, are unchanged; their quoted frames
are the build's. Ops made outside Graph._create_op_internal (a TF op layer of legacy Keras) keep
TF's trace, which graphlint reads for them (model/sites.py). `keeping_tf_traces()` turns this off,
for the test that compares graphlint's notes with TF's record.

Also here: Graph._unsafe_unfinalize, which lets graphlint read (and add to) a graph that a
Scaffold finalized, as MonitoredSession's own code does; and the C API's view of an op's inputs.
"""

from __future__ import annotations

import contextlib
import sys

from graphlint.model.tfcompat import tf
from graphlint.tfpatch.state import ROOM, room

_graph_class = None  # the subclass, made once TensorFlow is imported
_keep_tf_traces = []  # one entry per open keeping_tf_traces() block


def _recording_class():
    global _graph_class
    if _graph_class is None:
        class RecordingGraph(tf().Graph):
            def _create_op_internal(self, *args, **kwargs):
                self._gl_trace = self._gl_shared_trace  # what _create_c_op attaches instead of TF's
                try:
                    op = super()._create_op_internal(*args, **kwargs)
                finally:
                    self._gl_trace = None
                self._gl_op_created(op, sys._getframe(1))
                return op

            def name_scope(self, name):
                inner = super().name_scope(name)
                if isinstance(name, bytes):
                    name = name.decode("utf-8")
                if isinstance(name, str) and name and not name.endswith("/"):
                    return _NewScope(inner, self, name)  # a new scope, made unique by TF on entry
                return inner

        _graph_class = RecordingGraph
    return _graph_class


class _NewScope:
    """Graph.name_scope's context for a requested new scope, which tells the graph the name asked
    for and the unique one TF gave it. A class, not a generator: TF enters ~8 name scopes per op,
    and a contextlib wrapper around each cost 2 s of a 100k-op build."""

    __slots__ = ("_inner", "_graph", "_name")

    def __init__(self, inner, graph, name):
        self._inner, self._graph, self._name = inner, graph, name

    def __enter__(self):
        parent = self._graph.get_name_scope()
        scope = self._inner.__enter__()
        self._graph._gl_scope_entered(f"{parent}/{self._name}" if parent else self._name, scope[:-1])
        return scope

    def __exit__(self, *exc):
        return self._inner.__exit__(*exc)


def recording_graph(op_created, scope_entered):
    """A tf.Graph that calls op_created(op, frame) for each op made in it (frame: the Python frame
    that called _create_op_internal), and scope_entered(requested, got) each time a new name scope
    is entered (requested: the full name asked for; got: the unique one TF gave it)."""
    graph = _recording_class()()
    graph._gl_op_created = op_created
    graph._gl_scope_entered = scope_entered
    graph._gl_trace = None
    graph._gl_shared_trace = None
    if ROOM.open and not _keep_tf_traces:
        from tensorflow.python.util import tf_stack

        _install(ROOM)
        graph._gl_shared_trace = tf_stack.extract_stack()
    return graph


def _install(r) -> None:
    from tensorflow.python.client import pywrap_tf_session
    from tensorflow.python.framework import ops

    if r.is_patched(ops, "_create_c_op"):
        return
    original = ops._create_c_op
    set_trace = pywrap_tf_session.TF_SetOpStackTrace

    def _create_c_op(graph, node_def, inputs, control_inputs, op_def=None, extract_traceback=True):
        trace = graph._gl_trace if extract_traceback and type(graph) is _graph_class else None
        if trace is None:
            return original(graph, node_def, inputs, control_inputs, op_def=op_def,
                            extract_traceback=extract_traceback)
        c_op = original(graph, node_def, inputs, control_inputs, op_def=op_def, extract_traceback=False)
        set_trace(c_op, trace)
        return c_op
    r.set(ops, "_create_c_op", _create_c_op)


@contextlib.contextmanager
def keeping_tf_traces():
    """Recording graphs made inside the block keep TensorFlow's own trace of every op."""
    with room():
        _keep_tf_traces.append(True)
        try:
            yield
        finally:
            _keep_tf_traces.pop()


def input_reader():
    """A function giving an op's data inputs as the names of the ops that produce them, in input
    order: Operation.inputs without its Tensor objects, from the C API op.inputs itself calls
    (pywrap_tf_session.GetOperationInputs, TF_OperationName on op._c_op). Five times cheaper for a
    graph's every op (model/links.py), and nothing stays cached on the ops."""
    from tensorflow.python.client import pywrap_tf_session

    inputs, name_of = pywrap_tf_session.GetOperationInputs, pywrap_tf_session.TF_OperationName
    return lambda op: tuple([name_of(output.oper) for output in inputs(op._c_op)])


def unfinalize(graph) -> None:
    """Let ops be added to a graph a Scaffold finalized (graphlint reads saveables and sites after)."""
    graph._unsafe_unfinalize()
