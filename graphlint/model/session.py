"""One model for one run: the owner of everything building it needs.

A ModelSession holds the Estimator API, the loaded module, the files the model read and the params,
and builds what callers ask for: a mode (`build`, `analysis`), the serving graph (`serving`). diff,
check, run (run/engine.py), `check --saved-model` (serving/check.py) and `ckpt diff --mapped-by`
(checkpoint/warmstart.py) all build through it, so the user's module is imported once per run and
each mode is built once: a second caller asking for the same mode gets the first build's result.
The session sits in the build stage: it imports nothing above it (no rules, no run layer).
"""

from __future__ import annotations

import contextlib
import copy
import gc
import signal
import sys
import threading

from graphlint.errors import UsageError
from graphlint.model import parallel, reads, tfcompat
from graphlint.model.build import build_mode
from graphlint.model.tpu_spec import estimator_params
from graphlint.tfpatch import room


def mode_params(base: dict, overrides: dict, per_mode: dict, mode: str) -> dict:
    """Module params, then --params, then --params-<mode>; a fresh copy per mode, as Estimator does."""
    params = copy.deepcopy(base)
    params.update(copy.deepcopy(overrides or {}))
    params.update(copy.deepcopy((per_mode or {}).get(mode) or {}))
    return params


def model_prints_to_stderr():
    """The model's own prints go to stderr: stdout is the report's (JSON must stay parseable)."""
    return contextlib.redirect_stdout(sys.stderr)


class ModelSession:
    """Build a loaded Model's modes with one set of options. Made by `opened` (a model file) or
    `session_for` (a Model the caller built: the Python API, a program's Estimator)."""

    def __init__(self, model, est, *, params=None, per_mode_params=None, timeout=None, warm_start=None):
        self.model = model
        self.est = est  # the Estimator API module the modes are built with (tfcompat.estimator_api)
        self._overrides = params
        self._per_mode = per_mode_params
        self.timeout = timeout  # seconds for one mode's build; None or 0: no limit
        self.warm_start = warm_start  # a checkpoint TRAIN warm-starts from (Estimator(warm_start_from=))
        self.inputs = set()  # files read while loading and building (the result cache's dependencies)
        self._analyses = {}  # mode -> (Snapshot, Answers or None)
        self._serving = {}  # receiver_fn name -> ServingBuild

    def params(self, mode: str) -> dict:
        """The params model_fn gets in `mode` (with Estimator's own additions, e.g. TPU's batch_size)."""
        return estimator_params(self.model.model_fn, mode_params(self.model.params, self._overrides,
                                                                 self._per_mode, mode))

    def build(self, mode: str) -> tuple:
        """(Snapshot, live graph or None): one build of `mode`, whose graph the caller owns."""
        extra = {"warm_start": self.warm_start} if self.warm_start and mode == "train" else {}
        with reads.recording() as read, _time_limit(self.timeout, mode), model_prints_to_stderr():
            snap, graph = build_mode(self.model, mode, self.params(mode), self.est, **extra)
        self.inputs |= read
        return snap, graph

    def analyses(self, modes, jobs: int = 1) -> dict:
        """{mode: (Snapshot, the graph's Answers or None)}, each mode built once per session. jobs > 1
        builds the modes not yet built in forked workers, at most `jobs` at a time (parallel.py);
        the result is the same. Each graph is dropped once its answers are taken, so at most one
        is alive per process."""
        todo = [m for m in modes if m not in self._analyses]
        with _fewer_collections():
            if jobs > 1 and len(todo) > 1 and parallel.available():
                self._in_workers(todo, jobs)
            serial = [m for m in todo if m not in self._analyses]
            for i, mode in enumerate(serial):
                self._analyses[mode] = self._analysis(mode)
                if i < len(serial) - 1:
                    gc.collect()  # a tf.Graph is full of reference cycles: free it before the next mode is built
        return {m: self._analyses[m] for m in modes}

    def _analysis(self, mode: str) -> tuple:
        from graphlint.model.graphview import Answers, GraphView

        snap, graph = self.build(mode)
        return snap, (Answers(GraphView(graph, self.model.sites, snap)) if graph is not None else None)

    def _in_workers(self, modes, jobs: int) -> None:
        def job(mode):
            def run():
                snap, answers = self._analysis(mode)
                # the Snapshot travels without its params (they may hold functions, which do not
                # pickle); this process, which computed them, puts them back
                return snap.portable(), answers, self.inputs
            return run

        workers = parallel.run_all({m: (f"building {m}", job(m)) for m in modes}, jobs)
        try:
            for mode, worker in workers.items():
                worker.replay()
                snap, answers, read = worker.result
                snap.params = self.params(mode)  # a fresh copy, as mode_params makes every time
                self.inputs |= read
                self._analyses[mode] = (snap, answers)
        finally:
            for worker in workers.values():
                worker.close()

    def serving(self, receiver_fn=None):
        """The serving graph's ServingBuild (serving/build.py), or None when the model has no
        serving_input_receiver_fn and `receiver_fn` (a name) does not ask for one."""
        from graphlint.serving.build import build_serving, find_receiver_fn

        key = receiver_fn or ""
        if key not in self._serving:
            fn = find_receiver_fn(self.model, receiver_fn)
            if fn is None:
                return None
            with reads.recording() as read, model_prints_to_stderr():
                self._serving[key] = build_serving(self.model, fn, self.params("predict"), self.est)
            self.inputs |= read
        return self._serving[key]


@contextlib.contextmanager
def opened(target: str, *, model_fn=None, input_fn=None, **options):
    """Import the model file (or package.module) once, and yield its ModelSession; the module is
    forgotten when the block ends. `options` are ModelSession's."""
    from graphlint.model.loader import loaded

    with room(), reads.recording() as read, tfcompat.estimator_api() as est, model_prints_to_stderr(), \
            loaded(target, model_fn=model_fn, input_fn=input_fn) as model:
        session = ModelSession(model, est, **options)
        yield session
    session.inputs |= read | set(model.imported)


@contextlib.contextmanager
def session_for(model, **options):
    """The ModelSession of a Model the caller built from callables (the Python API, a program)."""
    with room(), tfcompat.estimator_api() as est, model_prints_to_stderr():
        yield ModelSession(model, est, **options)


@contextlib.contextmanager
def _fewer_collections():
    """Python's cyclic collector, run less often while graphs are built: a 100k-op graph allocates
    millions of objects, and with the default threshold (700) the collector ran 5,000 times and took
    9 of 82 CPU seconds of `diff` at 100k ops (65 times and 5 s with 50,000; benchmarks/run.py).
    Graphs are freed between modes by an explicit collection, so memory does not grow. The
    caller's thresholds come back afterwards (the API and the pytest plugin run in its process)."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], _GC_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


_GC_THRESHOLD = 50_000  # allocations between young collections while building


@contextlib.contextmanager
def _time_limit(seconds, mode: str):
    """Stop a model_fn that hangs. SIGALRM interrupts Python code; a C call returns first."""
    if not seconds or not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise UsageError(f"building {mode} did not finish within {seconds:g} s (--timeout); "
                         "does model_fn or input_fn wait for something?")

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
