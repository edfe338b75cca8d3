"""`graphlint migrate OLD --to NEW`: parsed arguments -> both sides -> mapping -> coverage findings ->
report, and the mapping file and converted weights when asked."""

from __future__ import annotations

import json
from collections import Counter

from graphlint import __version__
from graphlint.constants import SEVERITIES, ExitCode
from graphlint.errors import UsageError

SCHEMA_VERSION = 1


def run(args, write) -> int:
    from graphlint.migrate import coverage, mapfile, mapping, new, old

    if args.mapping and args.write_mapping:
        raise UsageError("--mapping reads a mapping file and --write-mapping writes one: pass one")
    old_side = old.read(args.old)
    new_side = new.read(args.to, args.fn)
    if args.mapping:
        result = mapfile.mapping_from(mapfile.load(args.mapping), args.mapping, old_side, new_side)
    else:
        by_name = "names" in (old_side.order, new_side.order)  # one side's order is its names': compare like with like
        result = mapping.align(old_side.layers, new_side.layers, new_side.framework, by_name)
    if args.use_ema:
        result.entries = [_shadowed(e, old_side) for e in result.entries]
    found = coverage.findings(result, old_side, new_side, args.use_ema)
    errors = [f for f in found if f.severity == "error"]
    parity = None
    if args.old_model:
        parity = _parity(args, result, old_side, new_side, errors)
        found = sorted(found + parity.findings, key=lambda f: f.sort_key())
        errors = [f for f in found if f.severity == "error"]
    written = None
    if args.write_mapping:
        _write_mapping(mapfile.render(result, old_side, new_side, args.use_ema), args.write_mapping)
    if args.write:
        if errors:
            written = f"not written: {len(errors)} error finding(s); the converted model would be incomplete"
        else:
            from graphlint.migrate import writer

            written = f"wrote {writer.write(args.write, result, old_side, new_side)} converted weights to {args.write}"
    render = _render_json if args.format == "json" else _render_text
    write(render(found, result, old_side, new_side, written, parity), args.output)
    return ExitCode.FINDINGS if errors and not args.exit_zero else ExitCode.OK


class _Parity:
    def __init__(self, outputs=(), findings=(), note=""):
        self.outputs, self.findings, self.note = list(outputs), list(findings), note


def _parity(args, result, old_side, new_side, errors) -> _Parity:
    from graphlint.migrate import parity, writer
    from graphlint.rules import RULES, all_rules

    if not args.batch:
        raise UsageError("--old-model needs --batch FILE.npz: the features both models are fed")
    if new_side.model is None:
        raise UsageError("--old-model: parity needs NEW as a Python file that builds the model, not a weight file")
    batch = parity.load_batch(args.batch)
    if errors:
        return _Parity(note=f"parity not computed: {len(errors)} error finding(s) leave the converted model incomplete")
    old = parity.old_outputs(args.old_model, args.model_fn, old_side.prefix, batch)
    new = parity.new_outputs(new_side, writer.converted(result, old_side.prefix), batch)
    outputs = parity.compare(old, new)
    all_rules()
    findings = []
    for o in outputs:
        if o.max_abs is None or not parity.within(o, old[o.name], args.atol, args.rtol):
            what = o.note or (f"max |new - old| = {o.max_abs:.4g}, ||new - old|| / ||old|| = {o.rel_l2:.4g} "
                              f"(tolerance {args.atol:g} + {args.rtol:g} x max |old|)")
            findings.append(RULES["GL607"].make(o.name, f"output {o.name} {list(o.shape)} on {args.batch}: {what}",
                                                "look for what equal shapes hide: gate order, a square kernel's "
                                                "transpose, epsilons, activations; edit the mapping or the new model"))
    return _Parity(outputs, findings)


def _write_mapping(text: str, path: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(f"--write-mapping: cannot write {path}: {exc.strerror}") from None


def _shadowed(entry, old_side):
    from dataclasses import replace

    return replace(entry, read=old_side.shadows.get(entry.old, entry.old))


def _classified(old_side) -> dict:
    return dict(sorted(Counter(old_side.classified.values()).items()))


def _render_text(found, result, old_side, new_side, written, parity) -> str:
    from tabulate import tabulate

    from graphlint.migrate import layouts
    from graphlint.model.tfcompat import tf
    from graphlint.report.text import finding_lines

    n_old = sum(len(layer.weights) for layer in old_side.layers)
    classified = ", ".join(f"{cls} {n}" for cls, n in _classified(old_side).items()) or "none"
    lines = [f"graphlint {__version__} | migrate | TensorFlow {tf().__version__}",
             f"OLD: {old_side.prefix} ({n_old} model variables in {len(old_side.layers)} layers, order from the "
             f"{old_side.order}; classified, not converted: {classified})",
             f"NEW: {new_side.path} ({new_side.framework}, {len(new_side.keys)} weights)", ""]
    for f in found:
        lines += finding_lines(f) + [""]
    if result.entries:
        rows = [(e.new, e.read if e.read != e.old else e.old, layouts.describe(e.transform)) for e in result.entries]
        lines += [f"Mapping ({len(result.entries)} new weights):",
                  tabulate(rows, headers=("NEW", "OLD", "transform"), tablefmt="simple", disable_numparse=True), ""]
    if parity is not None:
        lines += _parity_text(parity, tabulate)
    if written:
        lines += [written, ""]
    lines.append(_summary(found, result, old_side, new_side))
    return "\n".join(lines) + "\n"


def _parity_text(parity, tabulate) -> list:
    if parity.note:
        return [parity.note, ""]
    notes = any(o.note for o in parity.outputs)
    rows = [(o.name, list(o.shape), "-" if o.max_abs is None else f"{o.max_abs:.4g}",
             "-" if o.rel_l2 is None else f"{o.rel_l2:.4g}") + ((o.note,) if notes else ()) for o in parity.outputs]
    headers = ("output", "shape", "max |new-old|", "||new-old||/||old||") + (("note",) if notes else ())
    return ["Parity (old PREDICT graph restored from OLD vs NEW with the converted weights, same batch):",
            tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True), ""]


def _summary(found, result, old_side, new_side) -> str:
    counts = Counter(f.severity for f in found)
    mappable = len(new_side.keys) - len(new_side.bookkeeping)
    return (f"migrate: {len(result.entries)} of {mappable} new weights mapped; "
            + ", ".join(f"{counts.get(s, 0)} {s}" for s in SEVERITIES))


def _render_json(found, result, old_side, new_side, written, parity) -> str:
    from graphlint.report.json import finding_dict

    doc = {"schema_version": SCHEMA_VERSION, "graphlint_version": __version__, "old": old_side.prefix,
           "new": new_side.path, "framework": new_side.framework, "old_order": old_side.order,
           "findings": [finding_dict(f) for f in found],
           "mapping": [{"new": e.new, "old": e.old, "read": e.read, "transform": e.transform} for e in result.entries],
           "classified": _classified(old_side), "bookkeeping": sorted(new_side.bookkeeping), "written": written,
           "summary": _summary(found, result, old_side, new_side),
           "parity": None if parity is None else {
               "note": parity.note, "outputs": [{"name": o.name, "shape": list(o.shape), "max_abs": o.max_abs,
                                                 "rel_l2": o.rel_l2, "note": o.note} for o in parity.outputs]}}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"
