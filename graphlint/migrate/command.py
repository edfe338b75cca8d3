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
        result = mapping.align(old_side.layers, new_side.layers, new_side.framework)
    if args.use_ema:
        result.entries = [_shadowed(e, old_side) for e in result.entries]
    found = coverage.findings(result, old_side, new_side, args.use_ema)
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
    write(render(found, result, old_side, new_side, written), args.output)
    return ExitCode.FINDINGS if errors and not args.exit_zero else ExitCode.OK


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


def _render_text(found, result, old_side, new_side, written) -> str:
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
    if written:
        lines += [written, ""]
    lines.append(_summary(found, result, old_side, new_side))
    return "\n".join(lines) + "\n"


def _summary(found, result, old_side, new_side) -> str:
    counts = Counter(f.severity for f in found)
    mappable = len(new_side.keys) - len(new_side.bookkeeping)
    return (f"migrate: {len(result.entries)} of {mappable} new weights mapped; "
            + ", ".join(f"{counts.get(s, 0)} {s}" for s in SEVERITIES))


def _render_json(found, result, old_side, new_side, written) -> str:
    from graphlint.report.json import finding_dict

    doc = {"schema_version": SCHEMA_VERSION, "graphlint_version": __version__, "old": old_side.prefix,
           "new": new_side.path, "framework": new_side.framework, "old_order": old_side.order,
           "findings": [finding_dict(f) for f in found],
           "mapping": [{"new": e.new, "old": e.old, "read": e.read, "transform": e.transform} for e in result.entries],
           "classified": _classified(old_side), "bookkeeping": sorted(new_side.bookkeeping), "written": written,
           "summary": _summary(found, result, old_side, new_side)}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"
