"""`graphlint explain LOG`: the TensorFlow errors of a failed run's log, explained; with --model,
diagnosed from the model's graphs (graphlint/explain/)."""

from __future__ import annotations

import argparse

from graphlint.commands import _options as opt
from graphlint.constants import MODES, ExitCode
from graphlint.errors import UsageError

NAMES = ("explain",)


def add_parsers(sub) -> None:
    e = sub.add_parser("explain", help="explain the TensorFlow errors in a failed run's log",
                       description="Find the TensorFlow errors graphlint knows in a log (or - for stdin) and "
                                   "explain them; with --model, diagnose them from the model's graphs.")
    e.add_argument("log", metavar="LOG", help="log file, or - for standard input")
    e.add_argument("--model", metavar="FILE", help="the model file the run used: diagnose the names it reports")
    e.add_argument("--checkpoint", metavar="PATH", help="the checkpoint the run restored (with --model)")
    e.add_argument("--params", metavar="JSON|@FILE", help="params merged over the module's `params` dict")
    for mode in MODES:
        e.add_argument(f"--params-{mode}", metavar="JSON|@FILE", help=argparse.SUPPRESS)
    e.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def run(args) -> int:
    from graphlint import explain
    from graphlint.explain import parse_log

    errors = parse_log(explain.read_log(args.log))
    report = None
    if args.model:
        from graphlint.model.loader import parse_params
        from graphlint.run.application import Application, Request

        params = parse_params(args.params, "--params") if args.params else None
        per_mode = {m: parse_params(v, f"--params-{m}") for m in MODES if (v := getattr(args, f"params_{m}"))}
        request = Request(command="check" if args.checkpoint else "diff", models=[args.model], params=params,
                          per_mode_params=per_mode, settings={"checkpoint": args.checkpoint})
        (outcome,) = Application(request).run()
        report = outcome.report
    elif args.checkpoint:
        raise UsageError("--checkpoint needs --model")
    opt.write(explain.render(errors, report), None)
    return ExitCode.OK
