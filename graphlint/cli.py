"""Command line: the parser, made from graphlint/commands/ (one module per command), and main(argv)
-> int, which dispatches and turns errors into one line and exit status 2. No TensorFlow import at
module level, so --help is instant."""

from __future__ import annotations

import argparse
import os
import sys

from graphlint import __version__
from graphlint.commands import _options as opt
from graphlint.commands import modules
from graphlint.constants import TF_DISTRIBUTIONS, ExitCode
from graphlint.errors import UsageError


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


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="graphlint",
        description="Build a TensorFlow model_fn in every mode and find what will break at restore or in hooks.",
        epilog="exit status: 0 nothing that will break, 1 findings at --fail-on level, 2 usage or input error")
    p.add_argument("--version", action=_VersionAction, help="show graphlint's and TensorFlow's versions and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in modules():
        command.add_parsers(sub)
    return p


def request_from_args(args):
    """The run layer's Request for parsed `diff`/`check`/`run` arguments."""
    from graphlint.commands import lint, program

    return (program if args.command == "run" else lint).request_from_args(args)


def fatal_in_format(args, message: str) -> None:
    """A machine reading --format json/sarif/github gets the fatal error in that format too."""
    if args.command not in ("diff", "check", "run", "migrate"):
        return
    app = getattr(args, "app", None)
    if app is not None:
        text = app.render_fatal(message)
    elif args.format not in (None, "text"):  # the config could not be read: the command line's format
        from graphlint.report import formatter

        model = getattr(args, "model", None) or ([args.to] if args.command == "migrate" else [])
        text = formatter(args.format).render_fatal(message, model[0] if len(model) == 1 else "")
    else:
        return
    try:
        if text:
            opt.write(text, args.output)
    except UsageError:
        pass  # the output file itself is unwritable: the stderr line already says what failed


def rest_of_line(argv) -> tuple:
    """(argv to parse, {dest: the rest of the line} or {}): a command's REST_OPTION (migrate's
    `--old-program -- PROGRAM.py [args...]`) takes every argument after it, the program's own
    included. argparse gives an option nothing after `--` (and an option's REMAINDER varies across
    Python versions), so it is cut off here, before parsing; a leading `--` is dropped, as `run`'s."""
    argv = list(argv)
    option = {n: getattr(c, "REST_OPTION", None) for c in modules() for n in c.NAMES}.get(argv[0] if argv else "")
    stop = argv.index("--") if "--" in argv else len(argv)
    if not option or option not in argv[:stop]:
        return argv, {}
    i = argv.index(option)
    rest = argv[i + 1:]
    return argv[:i], {option.lstrip("-").replace("-", "_"): rest[1:] if rest[:1] == ["--"] else rest}


def main(argv=None) -> int:
    argv, rest = rest_of_line(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)
    for dest, value in rest.items():
        setattr(args, dest, value)
    from graphlint.model import tfcompat

    from graphlint.tfpatch import room

    run = {name: command.run for command in modules() for name in command.NAMES}[args.command]
    try:
        # the one room for the whole command: every TensorFlow patch is put back when it ends
        with tfcompat.showing_import_output(getattr(args, "debug", False)), room():
            return run(args)
    except UsageError as exc:
        print(f"graphlint: error: {exc}", file=sys.stderr)
        fatal_in_format(args, str(exc))
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

