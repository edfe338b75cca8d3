"""A Report: what one model's run found, the one document every output format renders."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphlint.model.snapshot import RunInfo


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
    serving: object = None  # serving.check result when the serving graph was built (check --saved-model)
    # run/supersede.py's Alternatives: what superseded rules report when a rule above them is not
    # selected. Read by selection only (run/selection.py), never rendered: `findings` is the report.
    alternatives: object = None

    @property
    def errors(self):
        return [f for f in self.findings if f.severity == "error"]

    def to_json(self) -> str:
        from graphlint.report import json as json_report

        return json_report.render(self)
