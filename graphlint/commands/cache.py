"""`graphlint cache clean`: remove the result cache (graphlint/run/cache.py)."""

from __future__ import annotations

import argparse
import sys

from graphlint.commands import _options as opt
from graphlint.constants import ExitCode

NAMES = ("cache",)


def add_parsers(sub) -> None:
    cache = sub.add_parser("cache", help="manage the result cache", description="Manage the result cache.")
    actions = cache.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    clean = actions.add_parser("clean", help="remove the cache folder")
    opt.cache_dir_option(clean)
    clean.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def run(args) -> int:
    from graphlint.run import cache

    path = cache.directory(args.cache_dir)
    print(f"graphlint: removed {cache.clean(path)} cached results ({path})", file=sys.stderr)
    return ExitCode.OK
