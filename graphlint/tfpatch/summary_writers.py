"""FileWriterCache.get (tensorflow.python.summary.writer.writer_cache), replaced while hooks run.

Hooks open a summary writer in begin() (ProfilerHook even in its constructor), through this
cache; graphlint must not write event files into the user's folders, so while the block is open
the cache hands out a writer that writes nothing.
"""

from __future__ import annotations

import contextlib


class _NullWriter:
    """A summary writer that writes nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


@contextlib.contextmanager
def silenced():
    from tensorflow.python.summary.writer.writer_cache import FileWriterCache

    saved = FileWriterCache.__dict__["get"]
    FileWriterCache.get = staticmethod(lambda *args, **kwargs: _NullWriter())
    try:
        yield
    finally:
        FileWriterCache.get = saved
