"""`graphlint ckpt PATH` lists a checkpoint; `graphlint ckpt diff A B` compares two
(graphlint/checkpoint/)."""

from __future__ import annotations

import argparse

from graphlint.commands import _options as opt
from graphlint.constants import ExitCode
from graphlint.errors import UsageError

NAMES = ("ckpt",)
_DIFF_ONLY = ("ignore_class", "top", "strip_prefix", "mapped_by", "assignment_map")


def add_parsers(sub) -> None:
    k = sub.add_parser("ckpt", help="list a checkpoint's keys, shapes and dtypes; `ckpt diff A B` compares two",
                       usage="graphlint ckpt [-h] [options] PATH | diff A B",
                       description="List a checkpoint (model directory, prefix or file) as a table or JSON; "
                                   "`graphlint ckpt diff A B` compares two checkpoints key by key and value by value.")
    k.add_argument("path", metavar="PATH", nargs="+", help="a checkpoint; or `diff A B`")
    k.add_argument("--filter", metavar="REGEX", help="only keys matching REGEX (re.search)")
    k.add_argument("--format", choices=("text", "json"), default="text")
    k.add_argument("--output", "-o", metavar="FILE")
    k.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    g = k.add_argument_group("ckpt diff")
    g.add_argument("--ignore-class", type=opt.names, action="extend", default=[], metavar="CLASSES",
                   help="hide keys of these classes (optimizer, global_step, ema, object-graph, other)")
    g.add_argument("--top", type=opt.positive, metavar="N", help="show only the N most changed keys in both")
    g.add_argument("--strip-prefix", metavar="A=B", help="compare A's keys without prefix A and B's without prefix B")
    g.add_argument("--mapped-by", metavar="FILE",
                   help="the model file whose TRAIN graph warm-starts B from A: are its mapped variables loaded?")
    g.add_argument("--assignment-map", metavar="JSON|@FILE",
                   help="the warm start's map {A key or scope/: B key or scope/}, instead of --mapped-by")


def run(args) -> int:
    from graphlint.checkpoint import reader as checkpoint
    from graphlint.checkpoint import table as ckpt_table

    paths = args.path
    if paths[0] == "diff" or len(paths) > 1:  # `ckpt diff A B`, or `ckpt A B` (a path named diff: ./diff)
        from graphlint.checkpoint import diff_cli

        return diff_cli.run(args, paths[1:] if paths[0] == "diff" else paths, opt.write)
    for option in _DIFF_ONLY:
        if getattr(args, option):
            raise UsageError(f"--{option.replace('_', '-')} is an option of `ckpt diff A B`")
    ckpt = checkpoint.read(paths[0])
    render = ckpt_table.render_json if args.format == "json" else ckpt_table.render_text
    opt.write(render(ckpt, args.filter), args.output)
    return ExitCode.OK
