"""`graphlint diff` and `graphlint check`: build a model's modes, diff them, check a checkpoint and
the serving export; and `graphlint run` shares how their findings are reported (`report`)."""

from __future__ import annotations

import argparse
import sys

from graphlint.commands import _options as opt
from graphlint.constants import MODES

NAMES = ("diff", "check")


def add_parsers(sub) -> None:
    d = sub.add_parser("diff", help="build model_fn in every mode, diff the graphs, check hook fetches",
                       description="Build model_fn in TRAIN, EVAL and PREDICT, diff the graphs, and check "
                                   "every hook's fetches against its mode's graph.")
    _model_options(d)
    opt.lint_options(d)
    c = sub.add_parser("check", help="diff, plus every mode's graph against a real checkpoint",
                       description="Everything diff does, plus the exact keys each mode restores against a "
                                   "checkpoint, with rename pairing and a paste-ready assignment_map.")
    _model_options(c)
    c.add_argument("--checkpoint", metavar="PATH",
                   help="model directory, checkpoint prefix, or one of its files (default: `checkpoint` in config)")
    c.add_argument("--saved-model", metavar="DIR",
                   help="a SavedModel (the version in production): compare the export's signatures and variables")
    c.add_argument("--serving-input-fn", metavar="NAME",
                   help="name of the serving input receiver fn (default: serving_input_receiver_fn)")
    opt.lint_options(c)


def _model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="FILE", nargs="*",
                   help="model files (path/to/model.py, or a quoted glob like 'models/**/*.py') or "
                        "package.module names; default: `models` in [tool.graphlint]")
    p.add_argument("--model-fn", metavar="NAME", help="name of the model_fn (default: model_fn)")
    p.add_argument("--input-fn", metavar="NAME",
                   help="name of the input_fn (default: <mode>_input_fn, else input_fn)")
    p.add_argument("--params", metavar="JSON|@FILE", help="params merged over the module's `params` dict")
    for mode in MODES:
        p.add_argument(f"--params-{mode}", metavar="JSON|@FILE", help=f"params merged last, for {mode} only")
    p.add_argument("--modes", type=opt.modes, metavar="LIST",
                   help="comma-separated modes to build (default: train,eval,predict)")
    opt.timeout_option(p)
    p.add_argument("--jobs", "-j", type=opt.jobs, default=0, metavar="N",
                   help="processes at a time: one model's modes, or several models (default: 0, one per CPU; "
                        "1: serial)")
    p.add_argument("--shard", metavar="K/N", help="check only the K-th of N deterministic slices of the models")
    p.add_argument("--warm-start", metavar="PATH",
                   help="the run warm-starts every trainable variable from this checkpoint, as "
                        "Estimator(warm_start_from=PATH) does: check what it loads")
    p.add_argument("--no-cache", action="store_true",
                   help="build every model even if it is unchanged since the last run (also GRAPHLINT_NO_CACHE=1)")
    opt.cache_dir_option(p)


def request_from_args(args):
    """The run layer's Request for parsed `diff`/`check` arguments."""
    from graphlint.model.loader import parse_params
    from graphlint.run.application import Request

    settings = {
        **opt.finding_settings(args), "model_fn": args.model_fn, "input_fn": args.input_fn,
        "checkpoint": getattr(args, "checkpoint", None), "modes": list(args.modes) if args.modes else None,
        "warm_start": args.warm_start, "table": args.table, "tf1": args.tf1,
    }
    per_mode = {m: parse_params(v, f"--params-{m}") for m in MODES if (v := getattr(args, f"params_{m}")) is not None}
    return Request(
        command=args.command, models=list(args.model), config=args.config, settings=settings,
        params=parse_params(args.params, "--params") if args.params else None, per_mode_params=per_mode,
        jobs=args.jobs, shard=args.shard, timeout=args.timeout, exit_zero=args.exit_zero,
        write_baseline=args.write_baseline, render=opt.render_options(args),
        serving=({"saved_model": args.saved_model, "receiver_fn": args.serving_input_fn}
                 if args.command == "check" else None),
        cache=not args.no_cache, cache_dir=args.cache_dir)


def run(args) -> int:
    return report(args, request_from_args(args))


def report(args, request) -> int:
    """Run a Request through the Application, write its output, and return its exit status."""
    from graphlint.run.application import Application

    app = Application(request)
    args.app = app  # a later usage error is also rendered in the asked format (cli.fatal_in_format)
    outcomes = app.run()
    for o in outcomes:
        if o.report is None:
            print(f"graphlint: error: {o.error}", file=sys.stderr)
    if args.write_baseline:
        return app.write_baseline(outcomes)
    opt.write(app.render(outcomes), args.output)
    return app.exit_code(outcomes)
