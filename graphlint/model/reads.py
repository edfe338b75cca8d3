"""Which files the user's code read while graphlint loaded and built it: the result cache's
dependencies (graphlint/run/cache.py).

A sys.addaudithook sees every `open` (also io.open_code, which is how import reads a module's
source or cached bytecode, and how runpy/importlib load a path) and every `exec` of a code
object compiled from a file. So a helper imported two levels deep, a module loaded with
importlib from a path, `exec(open(p).read())` and a JSON file read at import time are all
recorded, whoever opened them, without a list of the ways code can be loaded. Hashing the model's
folder instead would miss files outside it and rebuild for changes to unrelated files.

What this cannot see is documented as outside the cache key (docs/performance.md): environment
variables, the clock, the network, and files read by C++ code (tf.io.gfile, TFRecord readers).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import site
import sysconfig

_SYSTEM = ("/dev/", "/proc/", "/sys/")


def recording():
    """Collect the paths read inside the block (in this process) into the yielded set (the audit
    hook is the room's: graphlint/tfpatch/audit.py)."""
    from graphlint.tfpatch import audit

    return audit.reading()


def _excluded_roots() -> tuple:
    paths = sysconfig.get_paths()
    roots = {paths.get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    roots.update(site.getsitepackages() if hasattr(site, "getsitepackages") else ())
    roots.add(site.getusersitepackages() if hasattr(site, "getusersitepackages") else None)
    roots.add(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # graphlint's own code
    return tuple(os.path.realpath(r) + os.sep for r in roots if r)


def user_files(paths, exclude=()) -> list:
    """The paths that are the user's own files: regular files outside the standard library,
    installed packages and graphlint; cached bytecode stands for its source (the source is what
    the user edits; the stale .pyc stays the same). Sorted, real paths."""
    excluded = _excluded_roots() + tuple(os.path.realpath(e) + os.sep for e in exclude)
    out = set()
    for path in paths:
        if "__pycache__" in path:
            with contextlib.suppress(ValueError, NotImplementedError):
                path = importlib.util.source_from_cache(path)
        real = os.path.realpath(path)
        if real.startswith(_SYSTEM) or real.startswith(excluded) or "site-packages" in real \
                or "dist-packages" in real or not os.path.isfile(real):
            continue
        out.add(real)
    return sorted(out)
