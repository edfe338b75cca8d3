"""Output formats. Each is one module here with three functions, listed in FORMATS:

- `render(report, options)`: one model's Report;
- `render_many(outcomes, options)`: several models ([run.fleet.Outcome], in the list's order), whose
  shape does not depend on how many there are;
- `render_fatal(message, model)`: a run that could not happen (bad input), so that a machine reading
  the format gets the error in it too.

A new format is a new module plus its name in FORMATS (and its tests): the command line, the config
file and the run layer all read this tuple.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

FORMATS = ("text", "json", "sarif", "github")


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False  # ANSI colours (text only; the CLI decides: a terminal and no NO_COLOR)
    show_all: bool = False  # every row of the text report's tables, not only the first ones
    table: bool = True  # the mode-diff table when it has something to read (False: --no-table, `table = false`)
    statistics: bool = False  # text only: counts per rule instead of the findings, then the summary
    quiet: bool = False  # text only: the summary line alone (CI logs; the exit status is unchanged)


def formatter(name: str):
    """The module of a format, imported only when used (json/sarif never load tabulate)."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    return import_module(f"graphlint.report.{name}")
