"""Command line: argparse only. No TensorFlow import at module level, so --help is instant."""

from __future__ import annotations

import argparse
import sys

from graphlint import __version__
from graphlint.errors import UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
MODES = ("train", "eval", "predict")


def _modes(value: str) -> tuple:
    modes = tuple(m.strip() for m in value.split(",") if m.strip())
    for m in modes:
        if m not in MODES:
            raise argparse.ArgumentTypeError(f"unknown mode {m!r} (choose from {', '.join(MODES)})")
    if not modes:
        raise argparse.ArgumentTypeError("no mode given")
    return modes


def _model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="FILE", help="model file (path/to/model.py) or package.module")
    p.add_argument("--model-fn", metavar="NAME", help="name of the model_fn (default: model_fn)")
    p.add_argument("--input-fn", metavar="NAME",
                   help="name of the input_fn (default: <mode>_input_fn, else input_fn)")
    p.add_argument("--params", metavar="JSON|@FILE", help="params merged over the module's `params` dict")
    for mode in MODES:
        p.add_argument(f"--params-{mode}", metavar="JSON|@FILE", help=f"params merged last, for {mode} only")
    p.add_argument("--modes", type=_modes, metavar="LIST",
                   help="comma-separated modes to build (default: train,eval,predict)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="graphlint",
        description="Build a TensorFlow model_fn in every mode and find what will break at restore or in hooks.",
        epilog="exit status: 0 nothing that will break, 1 error-level findings, 2 usage or input error")
    p.add_argument("--version", action="version", version=f"graphlint {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    d = sub.add_parser("diff", help="build model_fn in every mode, diff the graphs, check hook fetches",
                       description="Build model_fn in TRAIN, EVAL and PREDICT, diff the graphs, and check "
                                   "every hook's fetches against its mode's graph.")
    _model_options(d)
    d.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    d.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    d.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    return p


def _diff_kwargs(args) -> dict:
    from graphlint.loader import parse_params

    return dict(
        target=args.model, model_fn=args.model_fn, input_fn=args.input_fn, modes=args.modes,
        params=parse_params(args.params, "--params") if args.params else None,
        per_mode_params={m: parse_params(v, f"--params-{m}") for m in MODES
                         if (v := getattr(args, f"params_{m}")) is not None},
    )


def _run_diff(args) -> int:
    from graphlint import engine

    report = engine.diff(**_diff_kwargs(args))
    if args.format == "json":
        from graphlint.report import json as renderer
    else:
        from graphlint.report import text as renderer
    _write(renderer.render(report), args.output)
    return EXIT_FINDINGS if report.errors else EXIT_OK


def _write(text: str, path) -> None:
    if path:
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise UsageError(f"--output: cannot write {path}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return _run_diff(args)
    except UsageError as exc:
        print(f"graphlint: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("graphlint: interrupted", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        if getattr(args, "debug", False):
            raise
        print(f"graphlint: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
              file=sys.stderr)
        return EXIT_USAGE
