"""FileWriterCache.get (tensorflow.python.summary.writer.writer_cache), replaced while hooks run.

Hooks open a summary writer in begin() (ProfilerHook even in its constructor), through this
cache; graphlint must not write event files into the user's folders, so while the block is open
the cache hands out a writer that writes nothing. The replacement is set once per room and hands
out TensorFlow's own writers while no block is open.
"""

from __future__ import annotations

import contextlib

from graphlint.tfpatch.state import room

_silenced = []  # one entry per open silenced() block


class _NullWriter:
    """A summary writer that writes nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _install(r) -> None:
    from tensorflow.python.summary.writer.writer_cache import FileWriterCache

    if r.is_patched(FileWriterCache, "get"):
        return
    original = FileWriterCache.__dict__["get"].__func__

    def get(*args, **kwargs):
        return _NullWriter() if _silenced else original(*args, **kwargs)
    r.set(FileWriterCache, "get", staticmethod(get))


@contextlib.contextmanager
def silenced():
    with room() as r:
        _install(r)
        _silenced.append(True)
        try:
            yield
        finally:
            _silenced.pop()


def writer_init_and_flush_ops() -> tuple:
    """(summary_ops_v2.summary_writer_initializer_op(), [summary_ops_v2.legacy_raw_flush(writer)
    for each]): the init ops of the graph's tf.summary writers and a flush of each, which
    TPUEstimator's host_call hook runs (TF exports them only in TF1's tf.contrib.summary)."""
    from tensorflow.python.ops import summary_ops_v2

    init_ops = summary_ops_v2.summary_writer_initializer_op()
    return init_ops, [summary_ops_v2.legacy_raw_flush(writer=op.inputs[0]) for op in init_ops]
