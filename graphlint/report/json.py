"""JSON report with a versioned schema; keys sorted so the same input gives the same bytes."""

from __future__ import annotations

import dataclasses
import json

from graphlint import __version__
from graphlint.constants import ExitCode
from graphlint.report import pairing

SCHEMA_VERSION = 1


def _site(site):
    return None if site is None else {"file": site.file, "line": site.line, "code": site.code}


def finding_dict(f) -> dict:
    return {
        "code": f.code, "symbol": f.symbol, "severity": f.severity, "modes": list(f.modes),
        "name": f.name, "names": list(f.all_names), "message": f.message, "fix": f.fix, "location": _site(f.location),
        "related": [{"location": _site(r.site), "message": r.message} for r in f.related],
    }


def to_dict(report) -> dict:
    info = report.info
    return {
        "schema_version": SCHEMA_VERSION,
        "graphlint_version": __version__,
        "model": info.model,
        "tensorflow_version": info.tf_version,
        "estimator_api": info.estimator_api,
        "spec_conversion": info.spec_conversion or None,
        "modes": {m: ("built" if s.built else ("skipped" if s.skipped else "failed"))
                  for m, s in report.snapshots.items()},
        "findings": [finding_dict(f) for f in report.findings],
        "mode_diff": [dataclasses.asdict(r) for r in report.mode_diff],
        "checkpoint": _checkpoint(report),
        "serving": _serving(report),
    }


def _checkpoint(report):
    ckpt = report.checkpoint
    if ckpt is None:
        return None
    return {
        "prefix": ckpt.prefix, "object_based": ckpt.object_based, "keys": len(ckpt.entries),
        "unused": {cls: n for cls, n, _ in pairing.unused_by_class(report)},
        "renames": [{"graph_key": p.a, "checkpoint_key": p.b, "evidence": p.detail} for p in report.renames],
        "assignment_map": pairing.assignment_map(report.renames),
    }


def _serving(report):
    """The text report's signature table as data: every signature of the export graphlint built.
    A shape is a list with null for an unknown dimension, or null for an unknown rank."""
    serving = report.serving
    if serving is None:
        return None
    build = serving.build

    def tensors(group):
        return {k: {"dtype": t.dtype, "shape": None if t.shape is None else list(t.shape), "tensor": t.name}
                for k, t in group.items()}

    return {
        "receiver_fn": build.receiver_fn,
        "saved_model": serving.saved.path if serving.saved is not None else None,
        "signatures": {key: {"method": sig.method, "inputs": tensors(sig.inputs), "outputs": tensors(sig.outputs)}
                       for key, sig in build.signatures.items()},
    }


def _dump(doc) -> str:
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def render(report, options=None) -> str:
    return _dump(to_dict(report))


def render_many(outcomes, options=None) -> str:
    return _dump({
        "schema_version": SCHEMA_VERSION,
        "graphlint_version": __version__,
        "models": [to_dict(o.report) for o in outcomes if o.report is not None],
        "errors": [_error(o.model, o.error) for o in outcomes if o.report is None],
    })


def _error(model: str, message: str) -> dict:
    return {"model": model, "message": message, "exit_status": int(ExitCode.USAGE)}


def render_fatal(message: str, model: str) -> str:
    error = _error(model, message)
    del error["model"]
    return _dump({"schema_version": SCHEMA_VERSION, "graphlint_version": __version__, "model": model,
                  "error": error, "findings": []})
