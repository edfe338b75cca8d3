"""load -> build one snapshot per mode -> rules -> a Report (rendering is the reporters' job)."""

from __future__ import annotations

import contextlib
import dataclasses
import warnings

from graphlint.analysis import renames
from graphlint.analysis.context import Context
from graphlint.analysis.modediff import mode_diff
from graphlint.checkpoint import reader as ckpt_lib
from graphlint.errors import UsageError
from graphlint.model import session as session_lib
from graphlint.model import tfcompat
from graphlint.model.snapshot import MODES, RunInfo
from graphlint.model.tpu_spec import describe as describe_conversion
from graphlint.report.document import Report
from graphlint.rules import all_rules
from graphlint.run import supersede


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
    return analyze_file(target, **options)


def check(target: str, checkpoint: str, **options) -> Report:
    """diff, plus every mode's restore keys against a real checkpoint."""
    return analyze_file(target, checkpoint=checkpoint, **options)


def analyze_file(target: str, *, model_fn=None, input_fn=None, checkpoint=None, serving=None, **options) -> Report:
    """Load the model file (or package.module), then analyze it. serving: {"saved_model": a path
    or SavedModelInfo, "receiver_fn": a name}, to also build the serving graph (check --saved-model)
    with the same loaded module and join its findings (GL5xx)."""
    ckpt = ckpt_lib.read(checkpoint) if checkpoint else None  # bad paths fail before slow builds
    build_options, options = _split(options)
    with session_lib.opened(target, model_fn=model_fn, input_fn=input_fn, **build_options) as session:
        report = analyze(session, ckpt=ckpt, **options)
        if serving is not None:
            report = _with_serving(report, session, serving)
    report.inputs = sorted(session.inputs)
    return report


def _with_serving(report, session, serving: dict) -> Report:
    """The serving graph's findings joined to the report; its result kept for the signature table."""
    from graphlint.serving import check as serving_check

    result = serving_check.analyze(session, saved_model=serving.get("saved_model"),
                                 receiver_fn=serving.get("receiver_fn"))
    if result is None:
        return report
    findings = sorted(report.findings + result.findings, key=lambda f: f.sort_key())
    return dataclasses.replace(report, findings=findings, serving=result)


def analyze_model(model, *, checkpoint=None, **options) -> Report:
    """analyze() for a Model the caller built (graphlint.lint(model_fn=..., input_fn=...), a program's Estimator)."""
    ckpt = ckpt_lib.read(checkpoint) if checkpoint else None
    build_options, options = _split(options)
    with session_lib.session_for(model, **build_options) as session:
        return analyze(session, ckpt=ckpt, **options)


_BUILD_OPTIONS = ("params", "per_mode_params", "timeout", "warm_start")  # ModelSession's


def _split(options: dict) -> tuple:
    """(the ModelSession's options, analyze()'s), with --warm-start's path checked first: a bad
    path is one line, before the slow builds."""
    build = {k: options.pop(k) for k in _BUILD_OPTIONS if k in options}
    if build.get("warm_start"):
        try:
            build["warm_start"] = ckpt_lib.resolve(build["warm_start"])
        except UsageError as exc:
            raise UsageError(f"--warm-start: {exc}") from None
    return build, options


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


def analyze(session, *, modes=None, ckpt=None, jobs=1) -> Report:
    """Build every mode of a ModelSession, run the rules, and collect a Report. jobs > 1 builds
    the modes in forked workers (model/session.py); the report is the same."""
    explicit = modes is not None
    modes = tuple(m for m in MODES if m in (modes or MODES))
    model = session.model
    info = RunInfo(model=model.target, model_file=getattr(model.module, "__file__", "") or "",
                   tf_version=tfcompat.tf().__version__, estimator_api=tfcompat.estimator_api_label(), modes=modes)
    built = session.analyses(modes, jobs)
    snapshots = {m: snap for m, (snap, _) in built.items()}
    views = {m: answers for m, (_, answers) in built.items()}
    for snap in snapshots.values():
        snap.skipped = _skip_reason(snap, explicit)
    info.spec_conversion = describe_conversion(snapshots)
    ctx = Context(info, snapshots, views, mode_diff(snapshots), checkpoint=ckpt,
                  object_names=ckpt_lib.object_names(ckpt) if ckpt is not None else {})
    if ckpt is not None:
        found = renames.pair(ctx)
        ctx = dataclasses.replace(ctx, renames=found.pairs, unsure_renames=found.unsure)
    found = run_rules(ctx)
    return Report(info, found.findings, ctx.mode_diff, snapshots, ckpt, ctx.renames, ctx.unused_keys(),
                  sorted(session.inputs), alternatives=found.alternatives)


def run_rules(ctx) -> supersede.Result:
    """Every rule that runs on graphs (the checkpoint rules only with a checkpoint) on the Context:
    the findings with every rule selected, superseded findings left out, in report order, and what
    the superseded rules report when a rule above them is not selected (run/supersede.py). The one
    place rules are run (the fast lane's recordings run them through here too)."""
    rules = [r for r in all_rules() if r.on_graphs and (ctx.checkpoint is not None or not r.needs_checkpoint)]
    found = supersede.run_all(ctx, rules)
    return dataclasses.replace(found, findings=sorted(found.findings, key=lambda f: f.sort_key()))
