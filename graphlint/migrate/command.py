"""`graphlint migrate OLD --to NEW`: parsed arguments -> both sides -> mapping -> coverage facts ->
each GL6xx rule's findings -> report, and the mapping file and converted weights when asked."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Optional

from graphlint import __version__
from graphlint.constants import SEVERITIES
from graphlint.errors import UsageError

SCHEMA_VERSION = 1


@dataclass
class Outcome:
    """What one migration found: the findings the caller's selection keeps, and what they are about."""

    findings: list
    mapping: object  # mapping.Mapping
    old_side: object
    new_side: object
    written: Optional[str] = None
    parity: object = None  # _Parity, with --old-model or --old-program


def run(args, keep=list) -> Outcome:
    """The migration the arguments ask for. `keep` is the caller's selection (rules, suppressions,
    baseline): findings it drops count for nothing here either (a --write, a parity run)."""
    from graphlint.migrate import coverage, mapfile, mapping, new, old, old_model

    if args.mapping and args.write_mapping:
        raise UsageError("--mapping reads a mapping file and --write-mapping writes one: pass one")
    old_spec = old_model.from_args(args)
    if args.batch and old_spec is None:
        raise UsageError("--batch is the parity batch: it needs --old-model FILE or --old-program -- PROGRAM.py")
    old_side = old.read(args.old)
    new_side = new.read(args.to, args.fn)
    if args.mapping:
        result = mapfile.mapping_from(mapfile.load(args.mapping), args.mapping, old_side, new_side)
    else:
        by_name = "names" in (old_side.order, new_side.order)  # one side's order is its names': compare like with like
        result = mapping.align(old_side.layers, new_side.layers, new_side.framework, by_name)
    if args.use_ema:
        result.entries = [_shadowed(e, old_side) for e in result.entries]
    found = keep(rule_findings(coverage.check(result, old_side, args.use_ema)))
    parity = None
    if old_spec is not None:
        parity = _parity(args, old_spec, result, old_side, new_side, _errors(found))
        found = keep(found + parity.findings)
    outcome = Outcome(found, result, old_side, new_side, parity=parity)
    if args.write_mapping:
        _write_mapping(mapfile.render(result, old_side, new_side, args.use_ema), args.write_mapping)
    if args.write:
        errors = _errors(found)
        if errors:
            outcome.written = f"not written: {len(errors)} error finding(s); the converted model would be incomplete"
        else:
            from graphlint.migrate import writer

            n = writer.write(args.write, result, old_side, new_side)
            outcome.written = f"wrote {n} converted weights to {args.write}"
    return outcome


def rule_findings(check) -> list:
    """Each GL6xx rule's findings in a coverage.MigrationCheck, in report order."""
    from graphlint.rules import all_rules
    from graphlint.rules._migrate import MigrateRule

    found = [f for rule in all_rules() if isinstance(rule, MigrateRule) for f in rule.check_migration(check)]
    return sorted(found, key=lambda f: f.sort_key())


def _errors(found) -> list:
    return [f for f in found if f.severity == "error"]


def render(outcome: Outcome, fmt: str, color: bool = False) -> str:
    """The outcome in a format of graphlint/report: text and JSON are migrate's own documents (the
    mapping, the parity tables); SARIF and GitHub render the findings as for any model."""
    if fmt == "text":
        return _render_text(outcome, color)
    if fmt == "json":
        return _render_json(outcome)
    from graphlint.report import formatter

    return formatter(fmt).render(as_report(outcome))


def as_report(outcome: Outcome):
    """A report.document.Report of the findings, for the formats that render any model's; the
    model is NEW's file (where a fix goes), else the old model file."""
    from graphlint.model.snapshot import RunInfo
    from graphlint.model.tfcompat import tf
    from graphlint.report.document import Report

    model = outcome.new_side.path
    info = RunInfo(model=model, model_file=model if model.endswith(".py") else "", tf_version=tf().__version__,
                   estimator_api="")
    return Report(info=info, findings=outcome.findings)


class _Parity:
    def __init__(self, outputs=(), findings=(), note="", layers=(), batch="", old_model=""):
        self.outputs, self.findings, self.note = list(outputs), list(findings), note
        self.layers, self.batch, self.old_model = list(layers), batch, old_model


def _parity(args, old_spec, result, old_side, new_side, errors) -> _Parity:
    from graphlint.migrate import coverage, parity, probes, writer

    if new_side.model is None:
        raise UsageError(f"{old_spec.option}: parity needs NEW as a Python file that builds the model, not a weight "
                         "file")
    if errors:
        return _Parity(note=f"parity not computed: {len(errors)} error finding(s) leave the converted model incomplete")
    done = parity.run(old_spec, old_side.prefix, args.batch, new_side,
                      writer.converted(result, old_side.prefix), probes.layer_pairs(result), args.atol, args.rtol)
    findings = rule_findings(coverage.MigrationCheck(parity=parity.check(done, args.atol, args.rtol)))
    return _Parity(done.outputs, findings, layers=done.layers, batch=done.batch, old_model=done.old_model)


def _write_mapping(text: str, path: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"--write-mapping: cannot write {path}: {exc.strerror}") from None


def _shadowed(entry, old_side):
    from dataclasses import replace

    if isinstance(entry.old, tuple):
        return replace(entry, read=tuple(old_side.shadows.get(k, k) for k in entry.old))
    return replace(entry, read=old_side.shadows.get(entry.old, entry.old))


def _classified(old_side) -> dict:
    return dict(sorted(Counter(old_side.classified.values()).items()))


def _render_text(outcome: Outcome, color: bool = False) -> str:
    from tabulate import tabulate

    from graphlint.migrate import layouts
    from graphlint.migrate.mapping import keys
    from graphlint.model.tfcompat import tf
    from graphlint.report.text import finding_lines

    old_side, new_side, result, parity = outcome.old_side, outcome.new_side, outcome.mapping, outcome.parity
    n_old = sum(len(layer.weights) for layer in old_side.layers)
    classified = ", ".join(f"{cls} {n}" for cls, n in _classified(old_side).items()) or "none"
    lines = [f"graphlint {__version__} | migrate | TensorFlow {tf().__version__}",
             f"OLD: {old_side.prefix} ({n_old} model variables in {len(old_side.layers)} layers, order from the "
             f"{old_side.order}; classified, not converted: {classified})",
             f"NEW: {new_side.path} ({new_side.framework}, {len(new_side.keys)} weights)", ""]
    for f in outcome.findings:
        lines += finding_lines(f, color) + [""]
    if result.entries:
        rows = [(e.new, " + ".join(keys(e.read)), layouts.describe(e.transform)) for e in result.entries]
        lines += [f"Mapping ({len(result.entries)} new weights):",
                  tabulate(rows, headers=("NEW", "OLD", "transform"), tablefmt="simple", disable_numparse=True), ""]
    if parity is not None:
        lines += _parity_text(parity, tabulate)
    if outcome.written:
        lines += [outcome.written, ""]
    lines.append(_summary(outcome))
    return "\n".join(lines) + "\n"


def _number(value) -> str:
    return "-" if value is None else f"{value:.4g}"


def _parity_text(parity, tabulate) -> list:
    if parity.note:
        return [parity.note, ""]
    notes = any(o.note for o in parity.outputs)
    rows = [(o.name, list(o.shape), _number(o.max_abs), _number(o.rel_l2)) + ((o.note,) if notes else ())
            for o in parity.outputs]
    headers = ("output", "shape", "max |new-old|", "||new-old||/||old||") + (("note",) if notes else ())
    out = [f"Parity (old PREDICT graph restored from OLD vs NEW with the converted weights, on {parity.batch}):",
           tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True), ""]
    if parity.layers:
        verdict = {True: "agrees", False: "DIFFERS", None: "-"}
        rows = [(r.new, r.old, _number(r.max_abs), _number(r.rel_l2), verdict[r.agrees], r.old_tensor or r.note)
                for r in parity.layers]
        out += ["Per layer, in the order the old graph computes them (NEW's layer output against the closest "
                "tensor of OLD's layer):",
                tabulate(rows, headers=("NEW", "OLD", "max |new-old|", "||new-old||/||old||", "", "OLD tensor"),
                         tablefmt="simple", disable_numparse=True), ""]
    return out


def _summary(outcome: Outcome) -> str:
    counts = Counter(f.severity for f in outcome.findings)
    mappable = len(outcome.new_side.keys) - len(outcome.new_side.bookkeeping)
    return (f"migrate: {len(outcome.mapping.entries)} of {mappable} new weights mapped; "
            + ", ".join(f"{counts.get(s, 0)} {s}" for s in SEVERITIES))


def _render_json(outcome: Outcome) -> str:
    from graphlint.report.json import finding_dict

    old_side, new_side, parity = outcome.old_side, outcome.new_side, outcome.parity
    doc = {"schema_version": SCHEMA_VERSION, "graphlint_version": __version__, "old": old_side.prefix,
           "new": new_side.path, "framework": new_side.framework, "old_order": old_side.order,
           "findings": [finding_dict(f) for f in outcome.findings],
           "mapping": [{"new": e.new, "old": e.old, "read": e.read, "transform": e.transform}
                       for e in outcome.mapping.entries],
           "classified": _classified(old_side), "bookkeeping": sorted(new_side.bookkeeping),
           "written": outcome.written, "summary": _summary(outcome),
           "parity": None if parity is None else {
               "note": parity.note, "batch": parity.batch, "old_model": parity.old_model,
               "outputs": [{"name": o.name, "shape": list(o.shape), "max_abs": o.max_abs, "rel_l2": o.rel_l2,
                            "note": o.note} for o in parity.outputs],
               "layers": [{"new": r.new, "old": r.old, "max_abs": r.max_abs, "rel_l2": r.rel_l2, "agrees": r.agrees,
                           "old_tensor": r.old_tensor, "note": r.note} for r in parity.layers]}}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"
