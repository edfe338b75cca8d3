"""Read the user's source around a creation site: the Python `if` a name was created under."""

from __future__ import annotations

import ast
import functools

from graphlint.model.snapshot import Site


@functools.lru_cache(maxsize=64)
def _ifs(path: str) -> tuple:
    """((first line, last line, source of the `if` line), ...) of every `if` in the file, parsed once."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        tree = ast.parse(text)
    except (OSError, SyntaxError, ValueError):
        return ()
    lines = text.splitlines()
    return tuple((n.lineno, n.end_lineno or n.lineno, lines[n.lineno - 1].strip())
                 for n in ast.walk(tree) if isinstance(n, ast.If))


def enclosing_if(site: Site):
    """The innermost `if` whose body or else-branch holds the site's line, as a Site, or None."""
    if site is None:
        return None
    best = None
    for first, last, line in _ifs(site.file):
        if first < site.line <= last and (best is None or first > best[0]):
            best = (first, line)
    return Site(site.file, best[0], "", best[1]) if best else None
