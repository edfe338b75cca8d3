"""`graphlint run -- PROGRAM.py args`: the user's training program, its Estimator calls checked
(graphlint/program/)."""

from __future__ import annotations

import argparse

from graphlint.commands import _options as opt
from graphlint.commands.lint import report

NAMES = ("run",)


def add_parsers(sub) -> None:
    r = sub.add_parser("run", help="run your training program unchanged and check every Estimator call it makes",
                       usage="graphlint run [options] -- PROGRAM.py [args...]  (or -- -m package.module [args...])",
                       description="Run the training program as `python PROGRAM.py args...` would, with "
                                   "Estimator's train/evaluate/predict/export and train_and_evaluate recorded "
                                   "instead of run; then build each mode as that Estimator would, check its "
                                   "hooks, and its model_dir's latest checkpoint when there is one.")
    r.add_argument("program", nargs=argparse.REMAINDER, metavar="-- PROGRAM.py [args...]",
                   help="the program and its own arguments (default: `run` in [tool.graphlint])")
    opt.timeout_option(r)
    r.add_argument("--jobs", "-j", type=opt.jobs, default=0, metavar="N",
                   help="processes at a time for one model's modes (default: 0, one per CPU; 1: serial)")
    opt.lint_options(r)


def request_from_args(args):
    from graphlint.run.application import Request

    settings = {**opt.finding_settings(args), "table": args.table, "tf1": args.tf1}
    program = args.program[1:] if args.program[:1] == ["--"] else args.program
    return Request(command="run", config=args.config, settings=settings, program=program or None, jobs=args.jobs,
                   timeout=args.timeout, exit_zero=args.exit_zero, write_baseline=args.write_baseline,
                   render=opt.render_options(args))


def run(args) -> int:
    return report(args, request_from_args(args))
