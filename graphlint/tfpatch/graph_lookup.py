"""Graph.as_graph_element (tensorflow.python.framework.ops.Graph), replaced on one graph instance.

Hooks resolve names through it (Session.run's fetch mapper, LoggingTensorHook's begin()): a name
that does not resolve while hooks run is a failed mode, and on a name that only exists once the
Scaffold's ops are built graphlint builds them and looks again. The replacement is an attribute
of the one graph, removed on exit: tf.Graph itself is never changed.
"""

from __future__ import annotations

import contextlib


@contextlib.contextmanager
def name_misses(graph, on_miss):
    """While open, a lookup of a name on the graph that fails calls on_miss(name, exc), and is
    tried once more when that returns True (else the failure stands)."""
    original = graph.as_graph_element

    def as_graph_element(obj, allow_tensor=True, allow_operation=True):
        try:
            return original(obj, allow_tensor, allow_operation)
        except (KeyError, ValueError) as exc:
            if not isinstance(obj, str) or not on_miss(obj, exc):
                raise
        return original(obj, allow_tensor, allow_operation)

    graph.as_graph_element = as_graph_element
    try:
        yield
    finally:
        del graph.as_graph_element
