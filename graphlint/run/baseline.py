"""Baselines: today's findings recorded in a file, so that only new ones are reported."""

from __future__ import annotations

import json
import os

from graphlint.errors import UsageError
from graphlint.model.sites import names_a_file

BASELINE_VERSION = 1


def _model_key(model: str, baseline_path: str) -> str:
    """A model file relative to the baseline's folder, so the key does not depend on the cwd."""
    if names_a_file(model):
        base = os.path.dirname(os.path.abspath(baseline_path))
        return os.path.relpath(os.path.abspath(model), base).replace(os.sep, "/")
    return model


def _keys(finding, model_key: str) -> list:
    # Keyed per mode and per name, never by line: a finding that moves is still known; one that
    # spreads to a new mode is new. A grouped finding (one cause, many names) has a key per name:
    # a name that joins the group is one more key that will break (another variable missing from
    # the checkpoint), so the finding is new again; and baselines written before findings were
    # grouped (one entry per name) still match.
    return [(model_key, mode, finding.code, name) for mode in (finding.modes or ("",))
            for name in finding.all_names]


def _read_baseline(path: str) -> set:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise UsageError(f"baseline {path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"baseline {path}: invalid JSON ({exc.msg} at line {exc.lineno})") from None
    entries = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or doc.get("version") != BASELINE_VERSION or not isinstance(entries, list):
        raise UsageError(f"baseline {path}: not a graphlint baseline (version {BASELINE_VERSION})")
    try:
        return {(e["model"], e["mode"], e["code"], e["name"]) for e in entries}
    except (TypeError, KeyError) as exc:
        raise UsageError(f"baseline {path}: bad entry (missing {exc})") from None


def write_baseline(path: str, findings, model: str) -> None:
    """Record the model's findings; other models' entries already in the file are kept."""
    key = _model_key(model, path)
    entries = {e for e in _read_baseline(path) if e[0] != key} if os.path.exists(path) else set()
    entries |= {k for f in findings for k in _keys(f, key)}
    doc = {"version": BASELINE_VERSION,
           "findings": [dict(zip(("model", "mode", "code", "name"), e))
                        for e in sorted(entries, key=lambda e: (e[0], e[2], e[3], e[1]))]}  # by rule, then name
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise UsageError(f"baseline {path}: cannot write: {exc.strerror}") from None


def filter_baseline(findings, path: str, model: str) -> list:
    """Findings that are new: a finding survives when any one of its (mode, name) keys is not in the
    baseline."""
    known, key = _read_baseline(path), _model_key(model, path)
    return [f for f in findings if any(k not in known for k in _keys(f, key))]


