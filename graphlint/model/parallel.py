"""Work in processes forked after TensorFlow (and, for modes, the model file) is imported.

A mode's graph is built in a worker, which sends back the Snapshot with the answers to every
question a rule may ask of the graph (graphview.Answers) and exits, so no graph outlives its
worker. The rules run in the parent on the same data as in a serial run, so the report is the
same byte for byte. Whatever a worker prints (the model's prints, TensorFlow's warnings) is
captured and replayed in a fixed order, so the console output does not depend on scheduling. Python
warnings that passed the worker's filters are sent back and shown by the parent, through
warnings.showwarning, where the run layer shows each once per run (engine.each_warning_once).
"""

from __future__ import annotations

import gc
import os
import sys
import pickle
import tempfile
import traceback
import warnings

from graphlint.errors import UsageError


def available() -> bool:
    """fork is what makes this cheap (TensorFlow is imported once); elsewhere work stays serial."""
    import multiprocessing

    return hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods()


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class WorkerError(Exception):
    """An unexpected exception in a worker; `detail` holds its traceback for --debug."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail


class Worker:
    """One forked process running `job()`, which returns the result (picklable) and exits. Output
    is captured to temporary files and replayed by `replay()`."""

    def __init__(self, label: str, job):
        import multiprocessing

        self.label = label
        self._out, self._err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        sys.stdout.flush()
        sys.stderr.flush()  # else the child inherits the parent's buffers and prints them again
        mp = multiprocessing.get_context("fork")
        self.conn, child = mp.Pipe()
        self.proc = mp.Process(target=_work, args=(child, job, self._out, self._err), daemon=True)
        self.proc.start()
        child.close()
        self.result = None
        self.warned = []  # [(text, category, filename, lineno, line)] the Python warnings it showed

    def receive(self):
        """The job's result; raises what the job raised (UsageError stays a UsageError)."""
        message = self._recv()
        if message[0] == "warnings":
            self.warned = message[1]
            message = self._recv()
        self.result = _unwrap(self.label, message)
        return self.result

    def _recv(self):
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            self.proc.join(5)
            code = self.proc.exitcode
            how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited ({code})"
            raise UsageError(f"{self.label}: the worker process {how} (out of memory? rerun with --jobs 1)") from None

    def replay(self) -> None:
        """Write what the worker wrote to its fds 1 and 2 to this process's fds 1 and 2, where a
        serial build writes it (TensorFlow's C++ log lines included)."""
        for captured, stream, fd in ((self._out, sys.stdout, 1), (self._err, sys.stderr, 2)):
            captured.seek(0)
            data = captured.read()
            if data:
                stream.flush()
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
        for text, category, filename, lineno, line in self.warned:
            warnings.showwarning(text, category, filename, lineno, line=line)

    def close(self) -> None:
        self.conn.close()
        self.proc.join(10)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join()
        self._out.close()
        self._err.close()


def run_all(jobs: dict, limit: int) -> dict:
    """Start the jobs ({key: (label, job)}, in order) at most `limit` at a time; {key: Worker}
    with each result received. When jobs fail, the error raised is that of the first failing job
    in order, as in a serial run, whichever finished first; every worker is stopped before it
    propagates."""
    from multiprocessing.connection import wait

    order = list(jobs)
    pending, running, done, failed = list(jobs.items()), {}, {}, {}
    try:
        while True:
            first = next((k for k in order if k not in done), None)  # failed jobs are not done
            if first is None:
                return {key: done[key] for key in order}
            if first in failed:
                raise failed[first]
            cut = min((order.index(k) for k in failed), default=len(order))
            pending = [(k, j) for k, j in pending if order.index(k) < cut]  # later jobs cannot matter
            while pending and len(running) < max(1, limit):
                key, (label, job) = pending.pop(0)
                # the child's collector then leaves the inherited heap alone: fewer copied pages; a
                # caller (the API's) that froze objects of its own keeps them frozen, so then not
                ours = gc.get_freeze_count() == 0
                if ours:
                    gc.freeze()
                try:
                    running[key] = Worker(label, job)
                finally:
                    if ours:
                        gc.unfreeze()
            ready = wait([w.conn for w in running.values()])
            for key in [k for k, w in running.items() if w.conn in ready]:
                worker = done[key] = running.pop(key)
                try:
                    worker.receive()
                except (UsageError, WorkerError) as exc:
                    failed[key] = exc
                    del done[key]
                    worker.close()
    finally:
        if len(done) != len(order):
            for worker in list(running.values()) + list(done.values()):
                worker.close()


def _unwrap(label: str, message):
    kind, payload = message[0], message[1:]
    if kind == "ok":
        return payload[0]
    if kind == "usage":
        raise UsageError(payload[0])
    raise WorkerError(f"{label}: {payload[0]}", payload[1])


def _recording(into: list):
    """A warnings.showwarning that keeps what would be shown (the filters have passed it)."""
    def record(message, category, filename, lineno, file=None, line=None):
        try:
            pickle.dumps(category)
        except Exception:  # noqa: BLE001 - a class the parent cannot load: shown as what it is
            category = UserWarning
        into.append((str(message), category, filename, lineno, line))
    return record


def _work(conn, job, out, err) -> None:
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    # sys.stdout may not write to fd 1 (a test runner's capture does not): point both at it.
    sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    warned = []
    warnings.showwarning = _recording(warned)
    try:
        reply = ("ok", job())
    except UsageError as exc:
        reply = ("usage", str(exc))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which decides
        reply = ("crash", f"{type(exc).__name__}: {exc}", traceback.format_exc())
    sys.stdout.flush()
    sys.stderr.flush()
    if warned:
        conn.send(("warnings", warned))
    conn.send(reply)
