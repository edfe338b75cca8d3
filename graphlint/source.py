"""Read the user's source around a creation site: the Python `if` a name was created under."""

from __future__ import annotations

import ast
import functools

from graphlint.snapshot import Site


@functools.lru_cache(maxsize=64)
def _tree(path: str):
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        return ast.parse(text), text
    except (OSError, SyntaxError, ValueError):
        return None, ""


def enclosing_if(site: Site):
    """The innermost `if` whose body or else-branch holds the site's line, as a Site, or None."""
    if site is None:
        return None
    tree, text = _tree(site.file)
    if tree is None:
        return None
    best = None
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and node.lineno < site.line <= (node.end_lineno or node.lineno):
            if best is None or node.lineno > best.lineno:
                best = node
    if best is None:
        return None
    line = text.splitlines()[best.lineno - 1].strip()
    return Site(site.file, best.lineno, "", line)
