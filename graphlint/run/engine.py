"""load -> build one snapshot per mode -> rules -> a Report (rendering is the reporters' job)."""

from __future__ import annotations

import contextlib
import copy
import gc
import dataclasses
import signal
import sys
import threading
import warnings
from dataclasses import dataclass, field

from graphlint.checkpoint import reader as ckpt_lib
from graphlint.model import parallel as _parallel
from graphlint.model import tfcompat
from graphlint.model.build import build_mode
from graphlint.analysis.context import Context
from graphlint.model.graphview import Answers, GraphView
from graphlint.errors import UsageError
from graphlint.model.loader import loaded
from graphlint.model import reads
from graphlint.analysis import renames
from graphlint.run import supersede
from graphlint.analysis.modediff import mode_diff
from graphlint.rules import all_rules
from graphlint.model.snapshot import MODES, RunInfo
from graphlint.model.specs import describe as describe_conversion, estimator_params


@dataclass
class Report:
    info: RunInfo
    findings: list
    mode_diff: list = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)
    checkpoint: object = None  # checkpoint.Checkpoint when checked against one
    renames: list = field(default_factory=list)  # [pairing.Pair]: a = graph key, b = checkpoint key
    unused: list = field(default_factory=list)  # checkpoint keys no mode restores
    inputs: list = field(default_factory=list)  # files read while loading and building (run/cache.py)
    serving: object = None  # serving.run result when the serving graph was built (check --saved-model)

    @property
    def errors(self):
        return [f for f in self.findings if f.severity == "error"]

    def to_json(self) -> str:
        from graphlint.report import json as json_report

        return json_report.render(self)


def mode_params(base: dict, overrides: dict, per_mode: dict, mode: str) -> dict:
    """Module params, then --params, then --params-<mode>; a fresh copy per mode, as Estimator does."""
    params = copy.deepcopy(base)
    params.update(copy.deepcopy(overrides or {}))
    params.update(copy.deepcopy((per_mode or {}).get(mode) or {}))
    return params


def _skip_reason(snap, explicit: bool) -> str:
    """PREDICT that fails on labels=None is skipped with a note unless the user asked for it."""
    failure = snap.failure
    if explicit or snap.mode != "predict" or failure is None:
        return ""
    if "None" in failure.message:
        return f"model_fn does not support labels=None ({failure.exc_type}: {failure.message})"
    return ""


def diff(target: str, **options) -> Report:
    """Build every mode and compare them with each other (and with a checkpoint, if given)."""
    return run(target, **options)


def check(target: str, checkpoint: str, **options) -> Report:
    """diff, plus every mode's restore keys against a real checkpoint."""
    return run(target, checkpoint=checkpoint, **options)


def run(target: str, *, model_fn=None, input_fn=None, checkpoint=None, **options) -> Report:
    """Load the model file (or package.module), then analyze it."""
    ckpt = ckpt_lib.read(checkpoint) if checkpoint else None  # bad paths fail before slow builds
    with reads.recording() as read, tfcompat.estimator_api(), _model_prints_to_stderr(), \
            loaded(target, model_fn=model_fn, input_fn=input_fn) as model:
        report = analyze(model, ckpt=ckpt, **options)
    report.inputs = sorted(read.union(report.inputs, model.imported))
    return report


def analyze_loaded(model, *, checkpoint=None, **options) -> Report:
    """analyze() for a Model the caller built (graphlint.lint(model_fn=..., input_fn=...))."""
    ckpt = ckpt_lib.read(checkpoint) if checkpoint else None
    with tfcompat.estimator_api(), _model_prints_to_stderr():
        return analyze(model, ckpt=ckpt, **options)


@contextlib.contextmanager
def each_warning_once():
    """Show each Python warning (text, class, file, line) once while a run lasts. Python's own
    once-per-line registry is per module, and a run has several copies of the model's modules:
    one per forked mode worker, and a fresh import for the serving graph (check --saved-model),
    so the same deprecation in model_fn would be shown once per mode."""
    shown = set()
    previous = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        key = (str(message), category.__qualname__, filename, lineno)  # a re-import makes a model's class anew
        if key not in shown:
            shown.add(key)
            previous(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        if warnings.showwarning is show:
            warnings.showwarning = previous


def _model_prints_to_stderr():
    """The model's own prints go to stderr: stdout is the report's (JSON must stay parseable)."""
    return contextlib.redirect_stdout(sys.stderr)


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


def analyze(model, *, params=None, per_mode_params=None, modes=None, ckpt=None, timeout=None, jobs=1,
            warm_start=None) -> Report:
    """Build every mode of a loaded Model, run the rules, and collect a Report. jobs > 1 builds
    the modes in forked workers, at most `jobs` at a time (parallel.py); the report is the same."""
    explicit = modes is not None
    modes = tuple(m for m in MODES if m in (modes or MODES))
    if warm_start:  # a bad path is one line, before the slow builds
        try:
            warm_start = ckpt_lib.resolve(warm_start)
        except UsageError as exc:
            raise UsageError(f"--warm-start: {exc}") from None
    t = tfcompat.tf()
    info = RunInfo(model=model.target, model_file=getattr(model.module, "__file__", "") or "",
                   tf_version=t.__version__, estimator_api=tfcompat.estimator_api_label(), modes=modes)
    with tfcompat.estimator_api() as est:
        builds = {m: _builder(model, m, estimator_params(model.model_fn, mode_params(
                      model.params, params, per_mode_params, m)), est, timeout, warm_start) for m in modes}
        parallel = jobs > 1 and len(modes) > 1 and _parallel.available()
        with _views(builds, jobs) if parallel else _serial(builds) as (snapshots, views, inputs):
            for snap in snapshots.values():
                snap.skipped = _skip_reason(snap, explicit)
            info.spec_conversion = describe_conversion(snapshots)
            ctx = Context(info, snapshots, views, mode_diff(snapshots), checkpoint=ckpt,
                          object_names=ckpt_lib.object_names(ckpt) if ckpt is not None else {})
            if ckpt is not None:
                found = renames.pair(ctx)
                ctx = dataclasses.replace(ctx, renames=found.pairs, unsure_renames=found.unsure)
            findings = run_rules(ctx)
    return Report(info, findings, ctx.mode_diff, snapshots, ckpt, ctx.renames, ctx.unused_keys(), sorted(inputs))


def _builder(model, mode, params, est, timeout, warm_start=None):
    """A job building one mode: (Snapshot, the graph's Answers or None, the files model_fn read).
    The graph is dropped once its answers are taken, so that at most one is alive per process."""
    extra = {"warm_start": warm_start} if warm_start else {}  # wrappers of build_mode's 4 arguments still fit

    def build():
        with reads.recording() as read, _time_limit(timeout, mode), _model_prints_to_stderr():
            snap, graph = build_mode(model, mode, params, est, **extra)
            answers = Answers(GraphView(graph, model.sites, snap)) if graph is not None else None
        return snap, answers, read
    build.params = params
    return build


def _remote(build):
    """The job a worker runs: the Snapshot travels without its params (they may hold functions,
    which do not pickle); the parent, which computed them, puts them back."""
    def job():
        snap, answers, read = build()
        return snap.portable(), read, answers
    return job


@contextlib.contextmanager
def _serial(builds):
    snapshots, views, inputs = {}, {}, set()
    for mode, build in builds.items():
        snapshots[mode], views[mode], read = build()
        inputs |= read
        gc.collect()  # a tf.Graph is full of reference cycles: free it before the next mode is built
    yield snapshots, views, inputs


@contextlib.contextmanager
def _views(builds, jobs):
    workers = _parallel.run_all({m: (f"building {m}", _remote(b)) for m, b in builds.items()}, jobs)
    try:
        snapshots, views, inputs = {}, {}, set()
        for mode, worker in workers.items():
            worker.replay()
            snapshots[mode], read, views[mode] = worker.result
            snapshots[mode].params = copy.deepcopy(builds[mode].params)
            inputs |= read
        yield snapshots, views, inputs
    finally:
        for worker in workers.values():
            worker.close()


def run_rules(ctx) -> list:
    """Every rule that runs on graphs (the checkpoint rules only with a checkpoint) on the Context,
    superseded findings left out, in report order: the one place rules are run (the fast lane's
    recordings run them through here too)."""
    rules = [r for r in all_rules() if r.on_graphs and (ctx.checkpoint is not None or not r.needs_checkpoint)]
    return sorted(supersede.run(ctx, rules), key=lambda f: f.sort_key())
