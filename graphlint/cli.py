"""Command line: argparse only. No TensorFlow import at module level, so --help is instant."""

from __future__ import annotations

import argparse
import os
import sys

from graphlint import __version__
from graphlint.errors import UsageError

from graphlint.constants import MODES, TF_DISTRIBUTIONS, ExitCode
from graphlint.report import FORMATS



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
    p.add_argument("--warm-start", metavar="PATH",
                   help="the run warm-starts every trainable variable from this checkpoint, as "
                        "Estimator(warm_start_from=PATH) does: check what it loads")
    p.add_argument("--no-cache", action="store_true",
                   help="build every model even if it is unchanged since the last run (also GRAPHLINT_NO_CACHE=1)")
    _cache_dir_option(p)


def _cache_dir_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cache-dir", metavar="DIR",
                   help="where results are cached (default: $GRAPHLINT_CACHE_DIR, else ~/.cache/graphlint)")


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
    g.add_argument("--tf1", action="store_true", default=None,
                   help="run the code with the TF 1.x API and tf.contrib (on by itself for TF1 code; docs/tf1.md)")
    g.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    g.add_argument("--show-all", action="store_true",
                   help="list every row of the names-in-some-modes table (default: a screenful, and only "
                        "with findings or a row of class 'other')")
    g.add_argument("--table", action=argparse.BooleanOptionalAction, default=None,
                   help="--no-table: never print the names-in-some-modes table (config: table = false)")
    brief = g.add_mutually_exclusive_group()
    brief.add_argument("--statistics", action="store_true",
                       help="text format only: count the findings per rule (count, code, symbol; most first) "
                            "instead of listing them, then the summary line")
    brief.add_argument("--quiet", "-q", action="store_true",
                       help="text format only: print the summary line alone (the exit status is unchanged)")
    g.add_argument("--debug", action="store_true", help="show tracebacks for internal errors, and what TensorFlow prints on import")


# The two distributions that decide which Estimator and Keras a model gets (which TensorFlow is
# installed: constants.TF_DISTRIBUTIONS).
_NO_TF = "not installed (pip install -e '.[cpu]' in graphlint's clone, or tensorflow-cpu)"
_ABSENT = {"tensorflow-estimator": "not installed (TensorFlow 2.16+ has no tf.estimator: graphlint uses its "
                                   "stand-in)",
           "tf-keras": "not installed (tf.compat.v1.layers models on TensorFlow 2.16+ need it: {install})"}


def version_text() -> str:
    """graphlint's version and the TensorFlow distributions installed, read from their metadata
    (importlib.metadata), so --version answers at once without importing TensorFlow."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    found = [f"{name} {v}" for name in TF_DISTRIBUTIONS if (v := installed(name))]
    lines = [f"graphlint {__version__} (Python {sys.version.split()[0]})",
             f"TensorFlow: {', '.join(found) or _NO_TF}"]
    if found:
        from graphlint.model.tfcompat import tf_keras_install

        install = tf_keras_install(found[0].split()[1], bool(installed("tensorflow")))
        lines += [f"{name}: {installed(name) or absent.format(install=install)}" for name, absent in _ABSENT.items()]
    return "\n".join(lines) + "\n"


class _VersionAction(argparse.Action):
    """--version without importing TensorFlow (argparse's own action takes a fixed string)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(version_text())
        parser.exit()


def _classes(value: str) -> list:
    return [c.strip() for c in value.split(",") if c.strip()]


def _top(value: str) -> int:
    jobs = _jobs(value)
    if not jobs:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value!r}")
    return jobs


def _ckpt_diff_options(g) -> None:
    g.add_argument("--ignore-class", type=_classes, action="extend", default=[], metavar="CLASSES",
                   help="hide keys of these classes (optimizer, global_step, ema, object-graph, other)")
    g.add_argument("--top", type=_top, metavar="N", help="show only the N most changed keys in both")
    g.add_argument("--strip-prefix", metavar="A=B", help="compare A's keys without prefix A and B's without prefix B")
    g.add_argument("--mapped-by", metavar="FILE",
                   help="the model file whose TRAIN graph warm-starts B from A: are its mapped variables loaded?")
    g.add_argument("--assignment-map", metavar="JSON|@FILE",
                   help="the warm start's map {A key or scope/: B key or scope/}, instead of --mapped-by")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="graphlint",
        description="Build a TensorFlow model_fn in every mode and find what will break at restore or in hooks.",
        epilog="exit status: 0 nothing that will break, 1 findings at --fail-on level, 2 usage or input error")
    p.add_argument("--version", action=_VersionAction, help="show graphlint's and TensorFlow's versions and exit")
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
    c.add_argument("--saved-model", metavar="DIR",
                   help="a SavedModel (the version in production): compare the export's signatures and variables")
    c.add_argument("--serving-input-fn", metavar="NAME",
                   help="name of the serving input receiver fn (default: serving_input_receiver_fn)")
    _lint_options(c)
    _run_parser(sub)
    _migrate_parser(sub)
    k = sub.add_parser("ckpt", help="list a checkpoint's keys, shapes and dtypes; `ckpt diff A B` compares two",
                       usage="graphlint ckpt [-h] [options] PATH | diff A B",
                       description="List a checkpoint (model directory, prefix or file) as a table or JSON; "
                                   "`graphlint ckpt diff A B` compares two checkpoints key by key and value by value.")
    k.add_argument("path", metavar="PATH", nargs="+", help="a checkpoint; or `diff A B`")
    k.add_argument("--filter", metavar="REGEX", help="only keys matching REGEX (re.search)")
    k.add_argument("--format", choices=("text", "json"), default="text")
    k.add_argument("--output", "-o", metavar="FILE")
    k.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    _ckpt_diff_options(k.add_argument_group("ckpt diff"))
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
    cache = sub.add_parser("cache", help="manage the result cache", description="Manage the result cache.")
    cache_sub = cache.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    clean = cache_sub.add_parser("clean", help="remove the cache folder")
    _cache_dir_option(clean)
    clean.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    r = sub.add_parser("rules", help="list the rules, or show one rule's documentation")
    r.add_argument("code", metavar="CODE", nargs="?", help="a rule code (GL101) or symbol")
    r.add_argument("--format", choices=("text", "markdown"), default="text")
    r.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return p


def _run_parser(sub) -> None:
    r = sub.add_parser("run", help="run your training program unchanged and check every Estimator call it makes",
                       usage="graphlint run [options] -- PROGRAM.py [args...]  (or -- -m package.module [args...])",
                       description="Run the training program as `python PROGRAM.py args...` would, with "
                                   "Estimator's train/evaluate/predict/export and train_and_evaluate recorded "
                                   "instead of run; then build each mode as that Estimator would, check its "
                                   "hooks, and its model_dir's latest checkpoint when there is one.")
    r.add_argument("program", nargs=argparse.REMAINDER, metavar="-- PROGRAM.py [args...]",
                   help="the program and its own arguments (default: `run` in [tool.graphlint])")
    r.add_argument("--timeout", type=float, default=600, metavar="SECONDS",
                   help="stop when building one mode takes longer (default: 600; 0: no limit)")
    r.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N",
                   help="processes at a time for one model's modes (default: 0, one per CPU; 1: serial)")
    _lint_options(r)


def _migrate_parser(sub) -> None:
    m = sub.add_parser("migrate", help="map a TF1 checkpoint onto a Keras 3 or PyTorch rewrite; check coverage; convert",
                       description="Map every weight of a rewrite of the model (Keras 3 or PyTorch) to the TF1 "
                                   "checkpoint's keys and layout transforms, found from naming conventions, layouts "
                                   "and the structure of both models; report what does not map (GL6xx); write the "
                                   "mapping file and the converted weights. See docs/migrate.md.")
    m.add_argument("old", metavar="OLD", help="the TF1 name-based checkpoint (model directory, prefix or one of its files)")
    m.add_argument("--to", required=True, metavar="NEW",
                   help="the new model: a Python file whose function builds it (Keras 3 Model or torch.nn.Module), "
                        "or a file of its weights (.weights.h5, a state_dict .pt/.bin, .safetensors)")
    m.add_argument("--fn", default="build_model", metavar="NAME",
                   help="the function of NEW's Python file that builds the model (default: build_model)")
    m.add_argument("--use-ema", action=argparse.BooleanOptionalAction, default=None,
                   help="convert the ExponentialMovingAverage shadows instead of the raw variables (--no-use-ema: "
                        "the raw ones, on purpose)")
    m.add_argument("--mapping", metavar="PATH", help="use this mapping file instead of finding the mapping")
    m.add_argument("--write-mapping", metavar="PATH", help="write the mapping found as an editable JSON file")
    m.add_argument("--write", metavar="OUT",
                   help="write the converted weights in NEW's format (.weights.h5; .pt/.bin/.safetensors); not "
                        "done when there are error findings")
    g = m.add_argument_group("parity")
    g.add_argument("--old-model", metavar="FILE",
                   help="the old model file (model_fn): build its PREDICT graph restored from OLD and compare its "
                        "predictions with NEW's outputs on --batch")
    g.add_argument("--model-fn", metavar="NAME", help="name of the old model_fn (default: model_fn)")
    g.add_argument("--batch", metavar="FILE.npz", help="the features both models are fed (one array: the tensor)")
    g.add_argument("--atol", type=float, default=1e-4, help="parity: absolute tolerance (default: 1e-4)")
    g.add_argument("--rtol", type=float, default=1e-4,
                   help="parity: tolerance relative to the old output's largest magnitude (default: 1e-4)")
    m.add_argument("--format", choices=("text", "json"), default="text")
    m.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    m.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are error findings")
    m.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")


def _run_migrate(args) -> int:
    from graphlint.migrate import command

    return command.run(args, _write)


def request_from_args(args):
    """The run layer's Request for parsed `diff`/`check`/`run` arguments."""
    from graphlint.model.loader import parse_params
    from graphlint.run.application import Request

    if args.command == "run":
        return _run_request(args)
    settings = {
        "model_fn": args.model_fn, "input_fn": args.input_fn, "select": args.select,
        "extend_select": args.extend_select, "ignore": args.ignore, "fail_on": args.fail_on,
        "format": args.format, "baseline": args.baseline, "checkpoint": getattr(args, "checkpoint", None),
        "modes": list(args.modes) if args.modes else None, "warm_start": args.warm_start, "table": args.table,
        "tf1": args.tf1,
    }
    per_mode = {m: parse_params(v, f"--params-{m}") for m in MODES if (v := getattr(args, f"params_{m}")) is not None}
    return Request(
        command=args.command, models=list(args.model), config=args.config, settings=settings,
        params=parse_params(args.params, "--params") if args.params else None, per_mode_params=per_mode,
        jobs=args.jobs, shard=args.shard, timeout=args.timeout, exit_zero=args.exit_zero,
        write_baseline=args.write_baseline, render=_render_options(args),
        serving=({"saved_model": args.saved_model, "receiver_fn": args.serving_input_fn}
                 if args.command == "check" else None),
        cache=not args.no_cache, cache_dir=args.cache_dir)


def _render_options(args):
    from graphlint.report import RenderOptions

    return RenderOptions(color=_color(args), show_all=args.show_all, statistics=args.statistics, quiet=args.quiet)


def _run_request(args):
    from graphlint.run.application import Request

    settings = {"select": args.select, "extend_select": args.extend_select, "ignore": args.ignore,
                "fail_on": args.fail_on, "format": args.format, "baseline": args.baseline, "table": args.table,
                "tf1": args.tf1}
    program = args.program[1:] if args.program[:1] == ["--"] else args.program
    return Request(command="run", config=args.config, settings=settings, program=program or None, jobs=args.jobs,
                   timeout=args.timeout, exit_zero=args.exit_zero, write_baseline=args.write_baseline,
                   render=_render_options(args))


def _run_lint(args) -> int:
    from graphlint.run.application import Application

    app = Application(request_from_args(args))
    args.app = app  # a later usage error is also rendered in the asked format (_fatal_in_format)
    outcomes = app.run()
    for o in outcomes:
        if o.report is None:
            print(f"graphlint: error: {o.error}", file=sys.stderr)
    if args.write_baseline:
        return app.write_baseline(outcomes)
    _write(app.render(outcomes), args.output)
    return app.exit_code(outcomes)


def _color(args) -> bool:
    return not args.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _run_ckpt(args) -> int:
    from graphlint.checkpoint import reader as checkpoint
    from graphlint.checkpoint import table as ckpt_table

    paths = args.path
    if paths[0] == "diff" or len(paths) > 1:  # `ckpt diff A B`, or `ckpt A B` (a path named diff: ./diff)
        from graphlint.checkpoint import diff_cli

        return diff_cli.run(args, paths[1:] if paths[0] == "diff" else paths, _write)
    _refuse_diff_options(args)
    ckpt = checkpoint.read(paths[0])
    render = ckpt_table.render_json if args.format == "json" else ckpt_table.render_text
    _write(render(ckpt, args.filter), args.output)
    return ExitCode.OK


def _refuse_diff_options(args) -> None:
    for option in ("ignore_class", "top", "strip_prefix", "mapped_by", "assignment_map"):
        if getattr(args, option):
            raise UsageError(f"--{option.replace('_', '-')} is an option of `ckpt diff A B`")


def _run_explain(args) -> int:
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
    _write(explain.render(errors, report), None)
    return ExitCode.OK


def _run_cache(args) -> int:
    from graphlint.run import cache

    path = cache.directory(args.cache_dir)
    print(f"graphlint: removed {cache.clean(path)} cached results ({path})", file=sys.stderr)
    return ExitCode.OK


def _run_rules(args) -> int:
    from graphlint.rules import docs

    if args.code:
        _write(docs.render_rule(args.code), None)
    else:
        _write(docs.render_markdown() if args.format == "markdown" else docs.render_table() + "\n", None)
    return ExitCode.OK


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
    if args.command not in ("diff", "check", "run"):
        return
    app = getattr(args, "app", None)
    if app is not None:
        text = app.render_fatal(message)
    elif args.format not in (None, "text"):  # the config could not be read: the command line's format
        from graphlint.report import formatter

        model = getattr(args, "model", None) or []
        text = formatter(args.format).render_fatal(message, model[0] if len(model) == 1 else "")
    else:
        return
    try:
        if text:
            _write(text, args.output)
    except UsageError:
        pass  # the output file itself is unwritable: the stderr line already says what failed


COMMANDS = {"diff": _run_lint, "check": _run_lint, "run": _run_lint, "ckpt": _run_ckpt, "explain": _run_explain,
            "rules": _run_rules, "cache": _run_cache, "migrate": _run_migrate}


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    from graphlint.model import tfcompat

    tfcompat.show_import_output = getattr(args, "debug", False)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"graphlint: error: {exc}", file=sys.stderr)
        _fatal_in_format(args, str(exc))
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("graphlint: interrupted", file=sys.stderr)
        return ExitCode.USAGE
    except Exception as exc:
        if getattr(args, "debug", False):
            if getattr(exc, "detail", ""):  # a worker's traceback (parallel.WorkerError)
                print(exc.detail, file=sys.stderr, end="")
            raise
        print(f"graphlint: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
              file=sys.stderr)
        return ExitCode.USAGE


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
        code = code or ExitCode.USAGE  # stdout closed under us (a broken pipe): the report is lost
    os._exit(code)

