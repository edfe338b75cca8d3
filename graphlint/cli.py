"""Command line: argparse only. No TensorFlow import at module level, so --help is instant."""

from __future__ import annotations

import argparse
import os
import sys

from graphlint import __version__
from graphlint.errors import UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
MODES = ("train", "eval", "predict")
FORMATS = ("text", "json", "sarif", "github")


def _modes(value: str) -> tuple:
    modes = tuple(m.strip() for m in value.split(",") if m.strip())
    for m in modes:
        if m not in MODES:
            raise argparse.ArgumentTypeError(f"unknown mode {m!r} (choose from {', '.join(MODES)})")
    if not modes:
        raise argparse.ArgumentTypeError("no mode given")
    return modes


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = -1
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value!r}")
    return jobs


def _codes(value: str) -> list:
    return [c.strip() for c in value.split(",") if c.strip()]


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
    p.add_argument("--modes", type=_modes, metavar="LIST",
                   help="comma-separated modes to build (default: train,eval,predict)")
    p.add_argument("--timeout", type=float, default=600, metavar="SECONDS",
                   help="stop when building one mode takes longer (default: 600; 0: no limit)")
    p.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N",
                   help="processes at a time: one model's modes, or several models (default: 0, one per CPU; "
                        "1: serial)")
    p.add_argument("--shard", metavar="K/N", help="check only the K-th of N deterministic slices of the models")


def _lint_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("rules and output")
    g.add_argument("--select", type=_codes, metavar="CODES", help="only these rules (codes or prefixes: GL1,GL202)")
    g.add_argument("--extend-select", type=_codes, metavar="CODES", help="add rules to the selection")
    g.add_argument("--ignore", type=_codes, metavar="CODES", help="leave out these rules (codes or prefixes)")
    g.add_argument("--fail-on", choices=("error", "warning", "info"),
                   help="lowest severity that makes the exit status 1 (default: error)")
    g.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    g.add_argument("--baseline", metavar="FILE", help="report only findings not in this baseline file")
    g.add_argument("--write-baseline", metavar="FILE", help="write today's findings as the baseline, exit 0")
    g.add_argument("--config", metavar="FILE",
                   help="config file (default: the nearest pyproject.toml with [tool.graphlint])")
    g.add_argument("--format", choices=FORMATS, help="output format (default: text)")
    g.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    g.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="graphlint",
        description="Build a TensorFlow model_fn in every mode and find what will break at restore or in hooks.",
        epilog="exit status: 0 nothing that will break, 1 findings at --fail-on level, 2 usage or input error")
    p.add_argument("--version", action="version", version=f"graphlint {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    d = sub.add_parser("diff", help="build model_fn in every mode, diff the graphs, check hook fetches",
                       description="Build model_fn in TRAIN, EVAL and PREDICT, diff the graphs, and check "
                                   "every hook's fetches against its mode's graph.")
    _model_options(d)
    _lint_options(d)
    c = sub.add_parser("check", help="diff, plus every mode's graph against a real checkpoint",
                       description="Everything diff does, plus the exact keys each mode restores against a "
                                   "checkpoint, with rename pairing and a paste-ready assignment_map.")
    _model_options(c)
    c.add_argument("--checkpoint", metavar="PATH",
                   help="model directory, checkpoint prefix, or one of its files (default: `checkpoint` in config)")
    _lint_options(c)
    k = sub.add_parser("ckpt", help="list a checkpoint's keys, shapes and dtypes",
                       description="List a checkpoint (model directory, prefix or file) as a table or JSON.")
    k.add_argument("path", metavar="PATH")
    k.add_argument("--filter", metavar="REGEX", help="only keys matching REGEX (re.search)")
    k.add_argument("--format", choices=("text", "json"), default="text")
    k.add_argument("--output", "-o", metavar="FILE")
    k.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
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
    r = sub.add_parser("rules", help="list the rules, or show one rule's documentation")
    r.add_argument("code", metavar="CODE", nargs="?", help="a rule code (GL101) or symbol")
    r.add_argument("--format", choices=("text", "markdown"), default="text")
    r.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return p


def _config(args):
    from graphlint import config as config_lib
    from graphlint.model.loader import parse_params

    first = args.model[0] if args.model else None
    path = args.config or config_lib.find_config(first if first and os.path.exists(first) else ".")
    conf = config_lib.load_config(path) if path else config_lib.Config()
    cli = {
        "model_fn": args.model_fn, "input_fn": args.input_fn, "select": args.select,
        "extend_select": args.extend_select, "ignore": args.ignore, "fail_on": args.fail_on,
        "format": args.format, "baseline": args.baseline,
        "modes": list(args.modes) if args.modes else None,
        "checkpoint": getattr(args, "checkpoint", None),
        "params": {**conf.params, **parse_params(args.params, "--params")} if args.params else None,
    }
    for m in MODES:
        value = getattr(args, f"params_{m}")
        if value is not None:
            cli[f"params_{m}"] = {**getattr(conf, f"params_{m}"), **parse_params(value, f"--params-{m}")}
    conf = config_lib.merge(conf, cli)
    return conf, _models(args, conf)


def _models(args, conf) -> list:
    """The models to check: FILEs (globs expanded) or the config's `models`, then the --shard slice."""
    from graphlint.run import fleet

    models = fleet.expand(args.model or conf.models)
    if not models:
        raise UsageError("no model file given (pass FILE, or set `models` in [tool.graphlint])")
    if args.shard:
        models = fleet.shard(models, *fleet.parse_shard(args.shard))
    return models


def _run_lint(args) -> int:
    from graphlint.model import parallel

    conf, models = _config(args)
    if args.command == "check" and not conf.checkpoint:
        raise UsageError("check needs --checkpoint PATH (or `checkpoint` in [tool.graphlint])")
    jobs = args.jobs or parallel.default_jobs()
    options = dict(model_fn=conf.model_fn, input_fn=conf.input_fn, params=conf.params, timeout=args.timeout,
                   per_mode_params=conf.per_mode_params(), modes=tuple(conf.modes) if conf.modes else None)
    checkpoint = conf.checkpoint if args.command == "check" else None
    several = len(models) > 1 or args.shard or (not args.model and len(conf.models) > 1)
    if several:
        return _lint_several(args, conf, models, jobs, checkpoint, options)
    from graphlint.run import engine

    report = engine.run(models[0], checkpoint=checkpoint, jobs=jobs, **options)
    kept = _select(args, conf, report, models[0])
    if args.write_baseline:
        return _baseline_written(args, kept)
    _write(_render_one(args, conf, report), args.output)
    return _exit_code(conf, args, report.findings)


def _lint_several(args, conf, models, jobs, checkpoint, options) -> int:
    from graphlint.run import fleet
    from graphlint.report import combined

    outcomes = fleet.run_models(models, jobs, checkpoint, **options)
    for o in outcomes:
        if o.report is not None:
            o.report.findings = _select(args, conf, o.report, o.model)
        else:
            print(f"graphlint: error: {o.error}", file=sys.stderr)
    if args.write_baseline:
        return _baseline_written(args, [f for o in outcomes if o.report for f in o.report.findings])
    fmt = conf.format
    _write(combined.render(fmt, outcomes, color=fmt == "text" and _color(args)), args.output)
    if any(o.report is None for o in outcomes):
        return EXIT_USAGE
    return max([_exit_code(conf, args, o.report.findings) for o in outcomes] or [EXIT_OK])


def _select(args, conf, report, model) -> list:
    """The findings this run reports (with --write-baseline: the ones to record, written now)."""
    import dataclasses

    from graphlint.run import selection

    files = [report.info.model_file] if report.info.model_file else []
    if args.write_baseline:
        kept = selection.apply_config(report.findings, dataclasses.replace(conf, baseline=None), files, model)
        selection.write_baseline(args.write_baseline, kept, model)
        return kept
    report.findings = selection.apply_config(report.findings, conf, files, model)
    return report.findings


def _baseline_written(args, kept) -> int:
    print(f"graphlint: wrote {len(kept)} findings to {args.write_baseline}", file=sys.stderr)
    return EXIT_OK


def _exit_code(conf, args, findings) -> int:
    from graphlint.run import selection

    return selection.exit_code(findings, conf.fail_on, args.exit_zero)


def _color(args) -> bool:
    return not args.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _render_one(args, conf, report) -> str:
    renderer = _renderer(conf.format)
    return renderer.render(report, color=_color(args)) if conf.format == "text" else renderer.render(report)


def _renderer(fmt: str):
    from importlib import import_module

    return import_module(f"graphlint.report.{fmt}")


def _run_ckpt(args) -> int:
    from graphlint.checkpoint import reader as checkpoint
    from graphlint.checkpoint import table as ckpt_table

    ckpt = checkpoint.read(args.path)
    render = ckpt_table.render_json if args.format == "json" else ckpt_table.render_text
    _write(render(ckpt, args.filter), args.output)
    return EXIT_OK


def _run_explain(args) -> int:
    from graphlint import explain
    from graphlint.explain import parse_log

    errors = parse_log(explain.read_log(args.log))
    report = None
    if args.model:
        from graphlint.run import engine
        from graphlint.model.loader import parse_params

        params = parse_params(args.params, "--params") if args.params else None
        per_mode = {m: parse_params(v, f"--params-{m}") for m in MODES if (v := getattr(args, f"params_{m}"))}
        report = engine.run(args.model, params=params, per_mode_params=per_mode, checkpoint=args.checkpoint)
    elif args.checkpoint:
        raise UsageError("--checkpoint needs --model")
    _write(explain.render(errors, report), None)
    return EXIT_OK


def _run_rules(args) -> int:
    from graphlint.rules import docs

    if args.code:
        _write(docs.render_rule(args.code), None)
    else:
        _write(docs.render_markdown() if args.format == "markdown" else docs.render_table() + "\n", None)
    return EXIT_OK


def _write(text: str, path) -> None:
    if path:
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise UsageError(f"--output: cannot write {path}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)


def _fatal_in_format(args, message: str) -> None:
    """A machine reading --format json/sarif/github gets the fatal error in that format too."""
    fmt = getattr(args, "format", None)
    if args.command not in ("diff", "check") or fmt in (None, "text"):
        return
    from graphlint.report import fatal

    try:
        model = getattr(args, "model", None) or []
        _write(fatal.render(fmt, message, model[0] if len(model) == 1 else ""), getattr(args, "output", None))
    except UsageError:
        pass  # the output file itself is unwritable: the stderr line already says what failed


COMMANDS = {"diff": _run_lint, "check": _run_lint, "ckpt": _run_ckpt, "explain": _run_explain,
            "rules": _run_rules}


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"graphlint: error: {exc}", file=sys.stderr)
        _fatal_in_format(args, str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("graphlint: interrupted", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        if getattr(args, "debug", False):
            if getattr(exc, "detail", ""):  # a worker's traceback (parallel.WorkerError)
                print(exc.detail, file=sys.stderr, end="")
            raise
        print(f"graphlint: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
              file=sys.stderr)
        return EXIT_USAGE


def entry() -> None:
    """The console script: main(), then exit without tearing the interpreter down. With three
    100k-op graphs alive, finalization (freeing millions of objects one by one) took seconds
    after the report was written; mypy's hard_exit skips it the same way. Output is flushed
    first, and the workers are already joined, so nothing is lost."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        code = code or EXIT_USAGE  # stdout closed under us (a broken pipe): the report is lost
    os._exit(code)

