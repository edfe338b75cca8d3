"""Which frames are the user's code, and the Site (file:line) they stand for."""

from __future__ import annotations

import contextlib
import linecache
import os
import sys

from graphlint.model.snapshot import Site

_OWN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep  # the graphlint package
_TF_FRAMES = "tensorflow/python"  # what TF's get_user_frames() treats as its own
_NO_CALLERS: dict = {}
_THIRD_PARTY = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)


class SiteFinder:
    """Decides whether a source file belongs to the user's model (under its folder, not a library)."""

    def __init__(self, root: str):
        self.root = os.path.realpath(root) + os.sep
        self._cache: dict = {}
        self._sites: dict = {}
        self._creations: dict = {}
        self._stacks: dict = {}
        self._whole_stacks = _TF_FRAMES in self.root.replace(os.sep, "/")
        self._stop = None  # a frame every walk of a build passes (marked()), and what lies above it
        self._above: dict = {}

    @contextlib.contextmanager
    def marked(self, frame):
        """While a build runs below `frame` (graphlint's own, so its line never matters), the frames
        above it stay as they are: walks stop at it and take what lies above from one walk of it,
        instead of walking the CLI's or the caller's frames again for each of a graph's ops."""
        saved = self._stop, self._above
        self._stop, self._above = frame, {}
        try:
            yield
        finally:
            self._stop, self._above = saved

    def _from_stop(self, callers) -> tuple:
        """(user frames above the marked frame, outermost first; its first caller): one walk per build."""
        hit = self._above.get(id(callers))
        if hit is None:
            stop, self._stop = self._stop, None
            try:
                hit = self._above[id(callers)] = self._walk(stop, callers)
            finally:
                self._stop = stop
        return hit

    def is_user_file(self, filename: str) -> bool:
        hit = self._cache.get(filename)
        if hit is None:
            # '<frozen os>', '<string>': no file, though realpath would put it in the working directory
            real = os.path.realpath(filename)
            hit = (not filename.startswith("<") and real.startswith(self.root) and not real.startswith(_OWN_DIR)
                   and not any(p in real for p in _THIRD_PARTY))
            self._cache[filename] = hit
        return hit

    def site(self, filename: str, line: int, func: str = "") -> Site:
        key = (filename, line, func)
        hit = self._sites.get(key)
        if hit is None:
            hit = self._sites[key] = Site(display_path(filename), line, func,
                                          linecache.getline(filename, line).strip())
        return hit

    def raw_from_stack(self, depth: int = 1):
        """(filename, line, func) of the innermost user frame of the current Python stack, before
        the path and source line are read (from_raw): called for every name scope, so it stays
        this cheap (no traceback objects)."""
        frame, known, stop = sys._getframe(depth), self._cache, self._stop
        while frame is not None:
            if frame is stop:
                users = self._from_stop(_NO_CALLERS)[0]
                return users[-1] if users else None
            code = frame.f_code
            user = known.get(code.co_filename)
            if user is None:
                user = self.is_user_file(code.co_filename)
            if user:
                return code.co_filename, frame.f_lineno, code.co_name
            frame = frame.f_back
        return None

    def from_raw(self, raw):
        return self.site(*raw) if raw else None

    def from_traceback(self, tb):
        """The innermost user frame of an exception's traceback."""
        found = None
        while tb is not None:
            code = tb.tb_frame.f_code
            if self.is_user_file(code.co_filename):
                found = (code.co_filename, tb.tb_lineno, code.co_name)
            tb = tb.tb_next
        return self.site(*found) if found else None

    def creation(self, frame, callers) -> tuple:
        """Where an op is being created, from the Python frame that creates it: (its user frames,
        outermost first, as raw (file, line, function), and what the first of `callers` ({function:
        (source file suffix, what)}) met on the stack stands for, or ""). Every user frame counts:
        a helper in the user's own file is user code too, so the line that made a difference may be
        any of them. Taken for every op while the graph is built: TF's own record (op.traceback)
        costs ten times more to read afterwards and keeps every frame it turned into Python objects
        alive as long as the graph. The same creation is kept once (a loop makes many ops from the
        same lines)."""
        key = self._walk(frame, callers)
        return self._creations.setdefault(key, key)

    def _walk(self, frame, callers) -> tuple:
        users, caller, known, stop = [], "", self._cache, self._stop
        while frame is not None:
            if frame is stop:
                above, above_caller = self._from_stop(callers)
                return above + tuple(reversed(users)), caller or above_caller
            code = frame.f_code
            name = code.co_name
            user = known.get(code.co_filename)
            if user is None:
                user = self.is_user_file(code.co_filename)
            if user:
                users.append((code.co_filename, frame.f_lineno, name))
            elif not caller and name in callers and code.co_filename.endswith(callers[name][0]):
                caller = callers[name][1]
            frame = frame.f_back
        return tuple(reversed(users)), caller

    def from_raw_stack(self, raw_stack) -> tuple:
        hit = self._stacks.get(raw_stack)
        if hit is None:
            hit = self._stacks[raw_stack] = tuple(self.site(*raw) for raw in raw_stack)
        return hit

    def stack_from_op(self, op) -> tuple:
        """Every user frame of the stack that created a TF op, outermost first, from TF's record:
        for an op the recording graph did not see made (creation() is the usual way)."""
        return tuple(self.site(f.filename, f.lineno, f.name) for f in self._frames(op) if self.is_user_file(f.filename))

    def _frames(self, op):
        """TF's StackTrace can leave out its own frames before they become Python objects, ten times
        cheaper than the whole stack. It recognises its frames by a path containing
        tensorflow/python, so a model kept under such a folder gets the whole stack."""
        trace = op.traceback
        user_only = getattr(trace, "get_user_frames", None)
        return user_only() if user_only is not None and not self._whole_stacks else trace


def differing_frame(stack, other_lines):
    """The outermost frame of `stack` whose line never ran in the other mode (`other_lines`: the
    (file, line) of every user frame that built the other mode's graph): the call or statement that
    only this mode executed, which a shared helper deeper in the stack is not. None when every line
    also ran there (the difference is in values, not in which code ran)."""
    return next((s for s in stack if (s.file, s.line) not in other_lines), None)


def names_a_file(target: str) -> bool:
    """A model target written as a path (model.py, dir/model), not as a package.module import name."""
    return target.endswith(".py") or "/" in target or os.sep in target


def display_path(filename: str) -> str:
    """Relative to the working directory when under it, so reports read like a linter's."""
    absolute = os.path.abspath(filename)
    rel = os.path.relpath(absolute)
    return absolute if rel.startswith("..") else rel
