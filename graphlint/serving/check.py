"""`check --saved-model DIR` and the serving graph: build it, compare it, hand the comparison to the GL5xx rules."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from graphlint.errors import UsageError


@dataclass
class ServingResult:
    build: object  # signatures.ServingBuild
    saved: Optional[object] = None  # signatures.SavedModelInfo
    comparison: Optional[object] = None  # compare.Comparison: the GL5xx rules' input (kept for tests/fast's recordings)
    findings: list = field(default_factory=list)


def analyze(session, *, saved_model=None, receiver_fn=None) -> Optional[ServingResult]:
    """The serving graph of the ModelSession's model (model/session.py), compared with `saved_model`
    (a path, or what read_saved_model made of it). None when the model has no
    serving_input_receiver_fn and none was asked for."""
    from graphlint.checkpoint import reader as ckpt_lib
    from graphlint.serving import compare
    from graphlint.serving.build import RECEIVER_FN
    from graphlint.serving.signatures import read_saved_model

    # a bad path fails before the build
    saved = read_saved_model(saved_model) if isinstance(saved_model, (str, os.PathLike)) else saved_model
    build = session.serving(receiver_fn)
    if build is None:
        if saved is None:
            return None
        raise UsageError(f"{session.model.target}: --saved-model needs the model's {RECEIVER_FN} "
                         "(or --serving-input-fn NAME)")
    variables = ckpt_lib.read(saved.variables) if saved is not None and saved.variables else None
    comparison = compare.compare(build, saved, variables)
    return ServingResult(build, saved, comparison, rule_findings(comparison))


def rule_findings(comparison) -> list:
    """Each GL5xx rule's findings in the comparison, by code."""
    from graphlint.rules import all_rules
    from graphlint.rules._serving import ServingRule

    return [f for rule in all_rules() if isinstance(rule, ServingRule) for f in rule.check_serving(comparison)]


def render_table(result: ServingResult) -> str:
    """The signature table: every signature of the new export, its inputs and outputs."""
    from tabulate import tabulate

    from graphlint.serving.compare import shape_text

    rows = []
    for key, sig in result.build.signatures.items():
        for io, tensors in (("input", sig.inputs), ("output", sig.outputs)):
            for k, t in tensors.items():
                rows.append((key, io, k, t.dtype, shape_text(t.shape), t.name))
    where = f" (compared with {result.saved.path})" if result.saved is not None else ""
    title = f"signatures of the export ({result.build.receiver_fn}, PREDICT){where}:"
    table = tabulate(rows, headers=("signature", "io", "key", "dtype", "shape", "tensor"), tablefmt="simple",
                     disable_numparse=True)
    return f"{title}\n{table}\n"
