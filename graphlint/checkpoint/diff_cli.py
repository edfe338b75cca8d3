"""`graphlint ckpt diff A B`: parsed arguments -> CkptDiff (+ the warm-start check) -> output."""

from __future__ import annotations

from graphlint.constants import ExitCode
from graphlint.errors import UsageError


def run(args, paths, write) -> int:
    if len(paths) != 2:
        raise UsageError("ckpt diff needs two checkpoints: graphlint ckpt diff A B")
    if args.mapped_by and args.assignment_map:
        raise UsageError("--mapped-by and --assignment-map both give the warm start's map: pass one")
    from graphlint.checkpoint import diff as diff_lib
    from graphlint.checkpoint import diff_report

    result = diff_lib.diff(paths[0], paths[1], filter_regex=args.filter, ignore_classes=args.ignore_class,
                           strip_prefix=args.strip_prefix)
    result.warm_start = _warm_start(args, result)
    render = diff_report.render_json if args.format == "json" else diff_report.render_text
    write(render(result, args.top), args.output)
    return ExitCode.OK


def _warm_start(args, result):
    from graphlint.checkpoint import reader as ckpt_lib
    from graphlint.checkpoint import warmstart

    if args.mapped_by:
        calls, pairs, initial = warmstart.mapped_by(args.mapped_by)
        return warmstart.check(result.a, result.b, pairs, calls, args.mapped_by, initial)
    if args.assignment_map:
        mapping = warmstart.parse_assignment_map(args.assignment_map)
        pairs = warmstart.resolve_map(mapping, ckpt_lib.read(result.a).entries)
        return warmstart.check(result.a, result.b, pairs, 0, "--assignment-map")
    return None
