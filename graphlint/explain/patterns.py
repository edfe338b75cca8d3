"""What the error kinds and the parser share: lazily compiled patterns, their length bounds, and the
helpers that turn matched text into names and shapes.

Every pattern starts with a fixed literal and has only bounded, non-nested quantifiers, so a line
costs linear time even when it is megabytes long.
"""

from __future__ import annotations

import re


class Pattern:
    """re.compile(pattern), compiled when first used: compiling every kind's patterns costs half
    as much as scanning a 5,000-line log, and a log needs only those of the messages it holds."""

    def __init__(self, pattern: str):
        self.pattern = pattern

    def __getattr__(self, attr):  # called only until the first use: then the methods are attributes
        compiled = re.compile(self.pattern)
        for name in ("search", "match", "fullmatch", "finditer", "findall", "sub", "split"):
            setattr(self, name, getattr(compiled, name))
        return getattr(compiled, attr)


N = "{1,1000}"  # bound on a name's length
S = "{0,200}"  # bound on a shape's text
SHAPE = r"(?:\[[^\]\n]" + S + r"\]|\([^()\n]" + S + r"\)|<unknown>)"  # '[10,3]', '(None, 4)', '<unknown>'

TENSOR_REPR = Pattern(r"Tensor\(\"(?P<name>[^\"\n]" + N + r")\"")  # graph-mode str(tensor)
TF_REPR = Pattern(r"<tf\.(?:Tensor|Operation) '(?P<name>[^'\n]" + N + r")'")  # repr(tensor) / repr(op)
GRAPH_NAME = Pattern(r"[\w./:\-]" + N)  # a whole token that can be a node, tensor or variable name

# Traceback source lines show the templates themselves: "Tensor %s is not found in %s checkpoint".
PLACEHOLDER = Pattern(r"%[-#0 +]{0,3}\d{0,3}[srdi]|[{}]")

# The checkpoint reader's probe for an object-based checkpoint fails with "Key
# _CHECKPOINTABLE_OBJECT_GRAPH not found in checkpoint" on every name-based checkpoint: noise.
INTERNAL_KEYS = ("_CHECKPOINTABLE_OBJECT_GRAPH",)

MAX_TEXT = 400  # characters of a log line quoted with an error


def clean(name: str) -> str:
    """A name without surrounding quotes/backticks and trailing sentence punctuation."""
    name = name.strip()
    while name and name[-1] in ".,;)":
        name = name[:-1]
    return name.strip("'\"`")


def var_name(name: str) -> str:
    """A variable's name as a checkpoint key: 'dense/kernel:0' -> 'dense/kernel'."""
    name = clean(name)
    return name[:-2] if name.endswith(":0") else name


def shape(text: str) -> str:
    """'(10, 3)' or '[10,3]' -> '[10,3]'; 'None' dims -> '?'; '<unknown>' stays."""
    text = text.strip()
    if text == "<unknown>":
        return text
    dims = [d.strip() for d in text[1:-1].split(",")]
    dims = ["?" if d in ("None", "-1") else d for d in dims if d]
    return "[" + ",".join(dims) + "]"


def snippet(line: str, start: int, end: int) -> str:
    """The line, trimmed; for a long line a window around [start, end) (never a copy of the whole line)."""
    if len(line) <= 2 * MAX_TEXT:
        text = line.strip()
        if len(text) <= MAX_TEXT:
            return text
    lo = max(0, start - 100)
    hi = min(len(line), max(end, lo + MAX_TEXT - 100) + 100)
    out = line[lo:hi].strip()
    return ("…" if lo > 0 else "") + out + ("…" if hi < len(line) else "")
