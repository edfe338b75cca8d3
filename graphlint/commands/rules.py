"""`graphlint rules [CODE]`: the rules table, or one rule's documentation (graphlint/rules/docs.py)."""

from __future__ import annotations

import argparse

from graphlint.commands import _options as opt
from graphlint.constants import ExitCode

NAMES = ("rules",)


def add_parsers(sub) -> None:
    r = sub.add_parser("rules", help="list the rules, or show one rule's documentation")
    r.add_argument("code", metavar="CODE", nargs="?", help="a rule code (GL101) or symbol")
    r.add_argument("--format", choices=("text", "markdown"), default="text")
    r.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def run(args) -> int:
    from graphlint.rules import docs

    if args.code:
        opt.write(docs.render_rule(args.code), None)
    else:
        opt.write(docs.render_markdown() if args.format == "markdown" else docs.render_table() + "\n", None)
    return ExitCode.OK
