"""The room itself: one context, entered once per run, that owns every change graphlint makes to
TensorFlow's (and Python's) process-wide state, and puts each back when the run ends.

`room()` is entered by each front door for the whole run (the command line, graphlint.lint(),
the pytest plugin's item) and, re-entrantly, by whatever opens a build, a program or a model
session, so lower layers used on their own (tests, the pytest plugin calling the API) still get
one. Entries nest by count: only the outermost exit restores, and an inner one never patches
twice.

A patch is set through Room.set, at most once per room, at its first use inside it (so a run that
never builds imports no TensorFlow), and stays until the room's outermost exit, which puts every
patched attribute back exactly as it was (even after an exception or KeyboardInterrupt). A
patched function passes straight through to TensorFlow's own while no build or program is
active: what a build or a program does is state, switched on and off by the per-module context
managers (e.g. session_hooks.noting, estimator_entries.replaced), never a patch put on or taken
off. Two changes cannot be taken back and stay, inert, after the room (audit.py's audit hook,
session_hooks.py's SessionRunHook.__new__); `permanent` lists them.

A forked worker (model/parallel.py) inherits the room as it was at the fork: its patches, its
count and its state, in its own memory; it installs what it first uses itself, and never
restores anything in its parent.
"""

from __future__ import annotations

import contextlib
import os

_MISSING = object()


class Room:
    """The process's one room (ROOM below)."""

    def __init__(self):
        self.depth = 0  # open entries of room(); the patches live while it is > 0
        self._patches = []  # [(owner, name, original or _MISSING)], in the order set
        self._set = set()  # (id(owner), name) of every patched attribute
        self._pid = None  # the process that opened the room (a forked worker has its parent's)
        # What is active, switched by the per-module context managers; innermost last.
        self.tf1_runtime = []  # the TF1 runtime's import hook while it runs (graphlint/tf1/)
        self.tf1_forced = []  # a run's --tf1 / `tf1 = true`, innermost last (graphlint/tf1/)

    def __enter__(self):
        if self.depth == 0:
            self._pid = os.getpid()
        self.depth += 1
        return self

    def __exit__(self, *exc):
        self.depth -= 1
        if self.depth == 0:
            self._restore()
        return False

    @property
    def open(self) -> bool:
        return self.depth > 0

    def set(self, owner, name: str, value) -> None:
        """Set owner.name (owner: a module, a class, or a dict such as sys.modules) to `value` for
        the rest of the room; its original comes back on the room's exit."""
        if not self.open:
            raise RuntimeError("graphlint's room is not open: enter tfpatch.room() first")
        is_dict = isinstance(owner, dict)
        space = owner if is_dict else vars(owner)
        if (id(owner), name) not in self._set:
            self._set.add((id(owner), name))
            self._patches.append((owner, name, space.get(name, _MISSING)))
        if is_dict:
            owner[name] = value
        else:
            setattr(owner, name, value)

    def is_patched(self, owner, name: str) -> bool:
        return (id(owner), name) in self._set

    def patched(self) -> list:
        """[(owner, name, original)] of every attribute patched in this room, in the order set
        (original is `MISSING` when the owner had none of its own)."""
        return list(self._patches)

    def _restore(self) -> None:
        patches, self._patches, self._set = self._patches, [], set()
        for owner, name, original in reversed(patches):
            if isinstance(owner, dict):
                if original is _MISSING:
                    owner.pop(name, None)
                else:
                    owner[name] = original
            elif original is _MISSING:
                with contextlib.suppress(AttributeError):
                    delattr(owner, name)
            else:
                setattr(owner, name, original)


MISSING = _MISSING
ROOM = Room()

# Changes that cannot be undone, installed on first use and left in place, inert outside a build:
# (what, why) for the documentation and tests/test_tf_room.py.
permanent = (
    ("sys.addaudithook (audit.py)", "Python has no way to remove an audit hook"),
    ("SessionRunHook.__new__ (session_hooks.py)",
     "CPython cannot take a __new__ back off a class: object.__new__ then rejects constructor arguments"),
)


def room() -> Room:
    """The room, as a context manager: `with room(): ...` for a whole run (nested entries share it)."""
    return ROOM
