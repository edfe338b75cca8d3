"""Option types and option groups several commands share, and writing a command's output."""

from __future__ import annotations

import argparse
import os
import sys

from graphlint.constants import MODES
from graphlint.errors import UsageError
from graphlint.report import FORMATS


def modes(value: str) -> tuple:
    found = tuple(m.strip() for m in value.split(",") if m.strip())
    for m in found:
        if m not in MODES:
            raise argparse.ArgumentTypeError(f"unknown mode {m!r} (choose from {', '.join(MODES)})")
    if not found:
        raise argparse.ArgumentTypeError("no mode given")
    return found


def jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value!r}")
    return n


def positive(value: str) -> int:
    n = jobs(value)
    if not n:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value!r}")
    return n


def names(value: str) -> list:
    """A comma-separated list (rule codes, key classes)."""
    return [c.strip() for c in value.split(",") if c.strip()]


def timeout_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timeout", type=float, default=600, metavar="SECONDS",
                   help="stop when building one mode takes longer (default: 600; 0: no limit)")


def cache_dir_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cache-dir", metavar="DIR",
                   help="where results are cached (default: $GRAPHLINT_CACHE_DIR, else ~/.cache/graphlint)")


def lint_options(p: argparse.ArgumentParser) -> None:
    """Rules and output: every command that reports findings (diff, check, run)."""
    g = p.add_argument_group("rules and output")
    finding_options(g)
    g.add_argument("--format", choices=FORMATS, help="output format (default: text)")
    g.add_argument("--tf1", action="store_true", default=None,
                   help="run the code with the TF 1.x API and tf.contrib (on by itself for TF1 code; docs/tf1.md)")
    g.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    g.add_argument("--show-all", action="store_true",
                   help="list every row of the names-in-some-modes table (default: only the rows of class "
                        "'other' that no finding reports, and how many rows are not listed)")
    g.add_argument("--table", action=argparse.BooleanOptionalAction, default=None,
                   help="--no-table: never print the names-in-some-modes table (config: table = false)")
    brief = g.add_mutually_exclusive_group()
    brief.add_argument("--statistics", action="store_true",
                       help="text format only: count the findings per rule (count, code, symbol; most first) "
                            "instead of listing them, then the summary line")
    brief.add_argument("--quiet", "-q", action="store_true",
                       help="text format only: print the summary line alone (the exit status is unchanged)")
    g.add_argument("--debug", action="store_true", help="show tracebacks for internal errors, and what TensorFlow prints on import")


def finding_options(g) -> None:
    """Which findings count, and the config they come from: every command that reports findings."""
    g.add_argument("--select", type=names, metavar="CODES", help="only these rules (codes or prefixes: GL1,GL202)")
    g.add_argument("--extend-select", type=names, metavar="CODES", help="add rules to the selection")
    g.add_argument("--ignore", type=names, metavar="CODES", help="leave out these rules (codes or prefixes)")
    g.add_argument("--fail-on", choices=("error", "warning", "info"),
                   help="lowest severity that makes the exit status 1 (default: error)")
    g.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    g.add_argument("--baseline", metavar="FILE", help="report only findings not in this baseline file")
    g.add_argument("--write-baseline", metavar="FILE", help="write today's findings as the baseline, exit 0")
    g.add_argument("--config", metavar="FILE",
                   help="config file (default: the nearest pyproject.toml with [tool.graphlint])")


def finding_settings(args) -> dict:
    """The Config fields `finding_options` (and --format) set, as a front door hands them to the
    config merge: what every command that reports findings passes the same way."""
    return {"select": args.select, "extend_select": args.extend_select, "ignore": args.ignore,
            "fail_on": args.fail_on, "format": args.format, "baseline": args.baseline}


def render_options(args):
    from graphlint.report import RenderOptions

    return RenderOptions(color=color(args), show_all=args.show_all, statistics=args.statistics, quiet=args.quiet)


def color(args) -> bool:
    return not args.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def write(text: str, path) -> None:
    """The command's output to --output FILE, or stdout."""
    if path:
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise UsageError(f"--output: cannot write {path}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
