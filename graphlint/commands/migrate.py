"""`graphlint migrate OLD --to NEW`: a TF1 checkpoint mapped onto a Keras 3 or PyTorch rewrite,
its coverage checked, the weights converted (graphlint/migrate/, docs/migrate.md)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from graphlint.commands import _options as opt
from graphlint.constants import ExitCode
from graphlint.report import FORMATS
from graphlint.wording import count

NAMES = ("migrate",)
# --old-program takes the rest of the line, `graphlint run`'s way: `--old-program -- PROGRAM.py args`
# (cli.rest_of_line cuts it off before parsing: argparse gives an option nothing after `--`).
REST_OPTION = "--old-program"
USAGE = ("graphlint migrate OLD --to NEW [options] [--old-model FILE | --old-program -- PROGRAM.py [args...]]")


def add_parsers(sub) -> None:
    m = sub.add_parser("migrate", usage=USAGE, help="map a TF1 checkpoint onto a Keras 3 or PyTorch rewrite; check coverage; convert",
                       description="Map every weight of a rewrite of the model (Keras 3, PyTorch or a tf.Module) to the TF1 "
                                   "checkpoint's keys and layout transforms, found from naming conventions, layouts "
                                   "and the structure of both models; report what does not map (GL6xx); write the "
                                   "mapping file and the converted weights. See docs/migrate.md.")
    m.add_argument("old", metavar="OLD", help="the TF1 name-based checkpoint (model directory, prefix or one of its files)")
    m.add_argument("--to", required=True, metavar="NEW",
                   help="the new model: a Python file whose function builds it (Keras 3 Model, torch.nn.Module or "
                        "tf.Module), a file of its weights (.weights.h5, a state_dict .pt/.bin, .safetensors), or "
                        "a TF2 object-based checkpoint (tf.train.Checkpoint: directory or prefix)")
    m.add_argument("--fn", default="build_model", metavar="NAME",
                   help="the function of NEW's Python file that builds the model (default: build_model)")
    m.add_argument("--use-ema", action=argparse.BooleanOptionalAction, default=None,
                   help="convert the ExponentialMovingAverage shadows instead of the raw variables (--no-use-ema: "
                        "the raw ones, on purpose)")
    m.add_argument("--mapping", metavar="PATH", help="use this mapping file instead of finding the mapping")
    m.add_argument("--write-mapping", metavar="PATH", help="write the mapping found as an editable JSON file")
    m.add_argument("--write", metavar="OUT",
                   help="write the converted weights in NEW's format (.weights.h5; .pt/.bin/.safetensors; a TF2 "
                        "checkpoint prefix for a tf.Module or TF2 checkpoint); not done when there are error findings")
    g = m.add_argument_group("parity")
    g.add_argument("--old-model", metavar="FILE",
                   help="the old model file (model_fn): build its PREDICT graph restored from OLD and compare its "
                        "predictions and each mapped layer's output with NEW's on one batch")
    g.add_argument(REST_OPTION, nargs=argparse.REMAINDER, metavar="-- PROGRAM.py [args...]",
                   help="-- PROGRAM.py [args...] (or -- -m package.module [args...]), last on the line: the old "
                        "training program instead of a model file, run as `graphlint run` runs it, Estimator's "
                        "entry points recorded, nothing trained; its Estimator's model_fn and params build the "
                        "PREDICT graph (with several Estimators: the one whose model_dir holds OLD)")
    g.add_argument("--model-fn", metavar="NAME", help="name of --old-model's model_fn (default: model_fn)")
    g.add_argument("--batch", metavar="FILE.npz",
                   help="the features both models are fed (one array: the tensor; several: the dict); default: the "
                        "first batch of the old input_fn (a program's: its predict, else evaluate, else train "
                        "call's), else one generated from its serving_input_receiver_fn")
    g.add_argument("--atol", type=float, default=1e-4, help="parity: absolute tolerance (default: 1e-4)")
    g.add_argument("--rtol", type=float, default=1e-4,
                   help="parity: tolerance relative to the old output's largest magnitude (default: 1e-4)")
    r = m.add_argument_group("rules and output")
    opt.finding_options(r)
    r.add_argument("--format", choices=FORMATS,
                   help="output format (default: text; text and json hold the mapping and the parity tables)")
    r.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    r.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")


def config(args):
    """The config for a migration: the file's (`--config`, else the nearest above NEW), then the
    command line's, as every command resolves it."""
    from graphlint import config as config_lib

    path = args.config or config_lib.find_config(args.to if os.path.exists(args.to) else ".")
    conf = config_lib.load_config(path) if path else config_lib.Config()
    return config_lib.merge(conf, opt.finding_settings(args))


def run(args) -> int:
    """The migration's findings through the same selection, suppressions, baseline and exit status
    as every other command's (graphlint/run/selection.py); migrate renders them (command.render)."""
    from graphlint.migrate import command
    from graphlint.run import baseline, selection

    conf = config(args)
    if args.write_baseline:
        conf = dataclasses.replace(conf, baseline=None)  # the baseline records every finding of today
    key = args.to  # a baseline's findings are NEW's: its file is what the migration fixes

    def keep(findings):
        return selection.apply_config(findings, conf, (), key)

    outcome = command.run(args, keep)
    if args.write_baseline:
        baseline.write_baseline(args.write_baseline, outcome.findings, key)
        print(f"graphlint: wrote {count(len(outcome.findings), 'finding')} to {args.write_baseline}", file=sys.stderr)
        return ExitCode.OK
    opt.write(command.render(outcome, conf.format, opt.color(args)), args.output)
    return ExitCode(selection.exit_code(outcome.findings, conf.fail_on, args.exit_zero))
