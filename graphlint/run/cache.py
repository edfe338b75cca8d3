"""The result cache: an unchanged model's report without importing TensorFlow or building a graph.

ruff's `.ruff_cache` and mypy's `.mypy_cache` are the models. An entry is found by a key computed
before anything is loaded (the model file's bytes, the options that change what is built, the
checkpoint's identity, graphlint's, TensorFlow's, the Estimator API's and Python's versions, the
working directory, since reports show paths relative to it), and it is valid only while the files
the model's code read when it was loaded and built (recorded by graphlint/model/reads.py, known
only after a build, so stored in the entry as mypy stores its dependencies' hashes) still hash
the same. It holds the Report, not rendered text, so `--format` may differ between runs; the
run layer applies selection, suppressions and the baseline after it (they are cheap, and depend
on files the key need not cover).

Where: `--cache-dir`, else GRAPHLINT_CACHE_DIR, else the user's cache folder
($XDG_CACHE_HOME/graphlint, ~/.cache/graphlint): graphlint never writes to the working directory
or the model's folder, so unlike ruff it does not put the cache in the project. Entries are
written to a temporary file and renamed, so concurrent runs never see half an entry; an entry
that cannot be read is a miss.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import os
import pickle
import re
import shutil
import sys
import tempfile
from typing import Optional

from graphlint import __version__
from graphlint.constants import TF_DISTRIBUTIONS
from graphlint.errors import UsageError

FORMAT = 3  # bump when an entry's layout changes (2: Finding.covers; findings merged per cause; 3: Report.alternatives)
ENV_DIR = "GRAPHLINT_CACHE_DIR"
ENV_OFF = "GRAPHLINT_NO_CACHE"  # as RUFF_NO_CACHE: any value but "" or "0" turns the cache off
ENTRIES = "entries"
TAG = "CACHEDIR.TAG"
TAG_TEXT = ("Signature: 8a477f597d28d172789f06886806bc55\n"
            "# This file is a cache directory tag created by graphlint.\n"
            "# For information about cache directory tags see https://bford.info/cachedir/\n")
BIG_FILE = 64 << 20  # dependencies larger than this are compared by size and mtime, not re-hashed
_CHUNK = 1 << 20
_LATEST = re.compile(r'^model_checkpoint_path:\s*"(.*)"', re.M)


def enabled(no_cache: bool = False) -> bool:
    return not no_cache and os.environ.get(ENV_OFF, "") in ("", "0")


def default_dir() -> str:
    """The user's cache folder (XDG on Linux; the platforms' own elsewhere)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "graphlint")


def directory(option: Optional[str] = None) -> str:
    return os.path.abspath(option or os.environ.get(ENV_DIR) or default_dir())


# --- the key -------------------------------------------------------------------------------------

def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _version(name: str) -> Optional[str]:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """graphlint's own source, hashed: the version string stays 0.1.0 across hundreds of commits,
    so a changed rule (or any module) must invalidate the reports it made (ruff keys its cache by
    its own build the same way)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    h = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(folder, name)
            h.update(os.path.relpath(path, root).encode() + b"\0")
            with open(path, "rb") as fh:
                h.update(_digest(fh.read()).encode())
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def environment() -> dict:
    """What decides the Estimator API and TensorFlow's behaviour, read without importing it: the
    installed versions (no tensorflow-estimator means graphlint's stand-in) and tf-keras's switch."""
    tf = {d: v for d in TF_DISTRIBUTIONS if (v := _version(d))}
    return {"graphlint": __version__, "code": code_digest(), "format": FORMAT, "python": sys.version, "tensorflow": tf,
            "estimator": _version("tensorflow-estimator") or "stand-in", "tf_keras": _version("tf-keras"),
            "legacy_keras": os.environ.get("TF_USE_LEGACY_KERAS")}


def checkpoint_identity(path: Optional[str]):
    """The checkpoint as the key sees it: size, mtime and hash of the `.index` (and the directory's
    `checkpoint` file, which names the latest). None: not identifiable without TensorFlow (a
    gs:// path, a missing file): such a run is not cached, and TensorFlow reports what is wrong."""
    if not path:
        return ""
    if "://" in path:
        return None
    from graphlint.checkpoint.reader import _PIECE_RE  # the checkpoint pieces' suffixes, defined once

    try:
        if os.path.isdir(path):
            names = sorted(n for n in os.listdir(path) if n == "checkpoint" or n.endswith(".index"))
            if "checkpoint" not in names:
                return None
            found = [_stat_hash(os.path.join(path, n)) for n in names]
            with open(os.path.join(path, "checkpoint"), encoding="utf-8") as fh:
                latest = _LATEST.search(fh.read())
            index = os.path.join(path, latest.group(1)) + ".index" if latest else ""  # may point elsewhere
            return found + [_stat_hash(index)] if os.path.isfile(index) else found
        index = _PIECE_RE.sub("", path) + ".index"
        return _stat_hash(index) if os.path.isfile(index) else None
    except OSError:
        return None


def _stat_hash(path: str) -> list:
    st = os.stat(path)
    return [os.path.abspath(path), st.st_size, st.st_mtime_ns, _file_digest(path)]


def key(target: str, command: str, options: dict, checkpoint: Optional[str]) -> Optional[str]:
    """The entry's name for a model, or None when this run must not be cached."""
    ckpt = checkpoint_identity(checkpoint)
    if ckpt is None:
        return None
    if os.path.isfile(target):
        source = [os.path.abspath(target), _file_digest(target)]
    else:
        source = [target]  # package.module: its file is among the recorded inputs
    doc = {"env": environment(), "cwd": os.getcwd(), "command": command, "model": source,
           "options": options, "checkpoint": ckpt}
    return _digest(json.dumps(doc, sort_keys=True, default=repr).encode())


# --- entries -------------------------------------------------------------------------------------

def _inputs(paths, cache_dir: str) -> list:
    from graphlint.model.reads import user_files

    out = []
    for path in user_files(paths, exclude=(cache_dir,)):
        st = os.stat(path)
        out.append((path, st.st_size, st.st_mtime_ns, "" if st.st_size > BIG_FILE else _file_digest(path)))
    return out


def _unchanged(inputs) -> bool:
    try:
        for path, size, mtime, digest in inputs:
            st = os.stat(path)
            if st.st_size != size or (digest and _file_digest(path) != digest) or \
                    (not digest and st.st_mtime_ns != mtime):
                return False
    except OSError:
        return False
    return True


def portable(report):
    """What the formats read of a Report: the snapshots only say which modes were built."""
    from graphlint.model.snapshot import Snapshot

    snaps = {m: Snapshot(mode=m, failure=s.failure, skipped=s.skipped) for m, s in report.snapshots.items()}
    return dataclasses.replace(report, snapshots=snaps, inputs=[])


class Cache:
    def __init__(self, path: str):
        self.path = path
        self.entries = os.path.join(path, ENTRIES)

    def _file(self, name: str) -> str:
        return os.path.join(self.entries, name + ".pickle")

    def get(self, name: Optional[str]):
        """The cached Report, or None (no entry, an input changed, or the entry is unreadable)."""
        if not name:
            return None
        try:
            with open(self._file(name), "rb") as fh:
                entry = pickle.load(fh)
            if entry["format"] != FORMAT or not _unchanged(entry["inputs"]):
                return None
            return entry["report"]
        except Exception:  # noqa: BLE001 - corrupt, truncated, from another version: rebuild
            return None

    def put(self, name: Optional[str], report) -> None:
        """Store a report; a cache that cannot be written is no reason to fail a run."""
        if not name or report is None:
            return
        with contextlib.suppress(OSError):
            self._prepare()
            entry = {"format": FORMAT, "inputs": _inputs(report.inputs, self.path), "report": portable(report)}
            fd, tmp = tempfile.mkstemp(dir=self.entries, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(entry, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, self._file(name))  # atomic: readers see the old entry or the new one
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    def _prepare(self) -> None:
        """The folder, with a .gitignore and CACHEDIR.TAG so that git and backup tools skip it."""
        os.makedirs(self.entries, exist_ok=True)
        for name, text in ((".gitignore", "*\n"), (TAG, TAG_TEXT)):
            path = os.path.join(self.path, name)
            if not os.path.exists(path):
                _write_atomic(path, text)


def _write_atomic(path: str, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def clean(path: str) -> int:
    """Remove the cache folder; only one graphlint made (it has our CACHEDIR.TAG). Entries removed."""
    if not os.path.exists(path):
        return 0
    try:
        with open(os.path.join(path, TAG), encoding="utf-8") as fh:
            ours = "graphlint" in fh.read()
    except OSError:
        ours = False
    if not ours:
        raise UsageError(f"{path}: not a graphlint cache folder (no graphlint {TAG}); not removing it")
    entries = os.path.join(path, ENTRIES)
    count = sum(1 for n in os.listdir(entries) if n.endswith(".pickle")) if os.path.isdir(entries) else 0
    try:
        shutil.rmtree(path)
    except OSError as exc:
        raise UsageError(f"cannot remove {path}: {exc.strerror}") from None
    return count
