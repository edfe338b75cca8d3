"""The commands, one module each: `NAMES` (the subcommand names it serves), `add_parsers(sub)` (its
argparse subparsers) and `run(args) -> int` (its exit status). graphlint/cli.py builds the parser
from COMMANDS and dispatches; a new command is a module here plus its name in COMMANDS (and its
tests). Each module imports TensorFlow, and anything heavy, only inside `run`, so --help is instant.
"""

from __future__ import annotations

from importlib import import_module

COMMANDS = ("lint", "program", "migrate", "ckpt", "explain", "cache", "rules")  # modules, in `graphlint --help` order


def modules() -> list:
    return [import_module(f"graphlint.commands.{name}") for name in COMMANDS]
