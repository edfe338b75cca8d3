"""Recognise known TensorFlow failures in the text of a log (the core of ``graphlint explain LOG``).

This module must stay importable without TensorFlow: it only reads text.

The messages themselves are the kinds' business (graphlint.explain.kinds); this module scans the
lines, gives each line to the kinds whose trigger it holds, and supplies what lies around a
message: the "[[node ...]]" lines after an op error, the checkpoint of the last "Restoring
parameters from X", the frames after "Originally defined at:", and the "Fetch argument X cannot be
interpreted as a Tensor" wrapper. Log prefixes (``2021-03-04 10:11:12.123456: W tensorflow/...]``,
``E0304 10:11:12.123 ...``, ``INFO:tensorflow:``), tracebacks and exception chains around the
messages do not matter: the messages are searched for anywhere in a line. Then the sightings of
one error (the op-kernel warning, the exception, each exception of a chain) become one LogError.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

from graphlint.explain.kinds import KINDS, all_kinds
from graphlint.explain.patterns import PLACEHOLDER, TENSOR_REPR, TF_REPR, N, Pattern, clean, snippet, var_name

__all__ = ["LogError", "parse_log"]


@dataclass(frozen=True)
class LogError:
    """One known TensorFlow error found in a log."""

    kind: str  # stable id, a key of KINDS, e.g. "key-not-found-in-checkpoint"
    names: tuple  # graph/checkpoint names extracted from the message, e.g. ("class_0/sample_num_classid_0",)
    line: int  # 1-based line of the log where it was first found
    text: str  # the matched log line, trimmed (a window around the match when the line is long)
    details: dict = field(default_factory=dict, hash=False)  # kind-specific extras, all str values


# Node lines that follow (or, "Node: 'x'", precede) an op error.
_NODE_OLD = Pattern(r"\[\[Node: (?P<node>[^\s=\]]" + N + r") = (?P<op>\w{1,64})")  # TF <= 1.11
_NODE_BRACES = Pattern(r"\[\[\{\{node (?P<node>[^\s}]" + N + r")\}\}(?: = (?P<op>\w{1,64}))?")  # 1.12+
_NODE_PLAIN = Pattern(r"\[\[node (?P<node>[^\s\]]" + N + r")")  # 1.13+ "(defined at ...)"
_NODE_LABEL = Pattern(r"^\s{0,40}Node: '(?P<node>[^'\n]" + N + r")'\s{0,40}$")  # TF 2.9+ line before
_LOC_CLASS = Pattern(r"_class=\[\"loc:@(?P<name>[^\"\]\n]" + N + r")\"")
_FIRST_INPUT = Pattern(r"\]\((?P<name>[^\s,()^]" + N + r")[,)]")

_RESTORING_FROM = Pattern(r"Restoring parameters from (?P<path>\S{1,4000})")
_OP_NAME = Pattern(r"Operation name: \"(?P<name>[^\"\n]" + N + r")\"")  # an Operation's repr, its NodeDef
_DEFINED_AT = Pattern(r"File \"[^\"\n]{1,1000}\", line \d{1,9}(?:, in \S{1,200})?")
_TF_FRAME = Pattern(r"[/\\](?:tensorflow|tensorflow_core|tensorflow_estimator|tf_keras|keras)[/\\]")
_FETCH_TAIL = " cannot be interpreted as a Tensor"
_FETCH_HEADS = ("Fetch argument ", "Argument `fetch` = ")  # TF 1.x, TF 2.x
_FEED_HEAD = "Cannot interpret feed_dict key as Tensor: "
_ANSI = Pattern(r"\x1b\[[0-9;]{0,20}[A-Za-z]")

MAX_HITS_PER_LINE = 64
_AFTER = 2000  # characters after a message searched for its "[[node ...]]" on the same line
_NEARBY = 300  # lines apart within which two sightings can be one error (a traceback chain's length)
_RESTORE_WINDOW = 200  # lines after "Restoring parameters from X" in which a restore error is X's
_LOOKAHEAD = 3  # lines searched after an op error for its "[[node ...]]" line


@functools.lru_cache(maxsize=None)
def _trigger() -> Pattern:
    """Every message holds a trigger of its kind; a line with none of them is skipped."""
    literals = sorted({t for kind in all_kinds() for t in kind.triggers})
    return Pattern("|".join(re.escape(t) for t in literals))


class _Hit:
    __slots__ = ("kind", "names", "line", "text", "details")

    def __init__(self, kind, names, line, text, details):
        self.kind, self.names, self.line, self.text, self.details = kind, names, line, text, details


class Scan:
    """One pass over a log's lines: the kinds record their sightings here (``ctx`` in Kind.scan)."""

    def __init__(self, lines: list):
        self.lines = lines
        self.hits: list = []
        self.checkpoint: tuple | None = None  # (index, path) of the last "Restoring parameters from X"
        self.index = 0  # the line being scanned
        self.operation: tuple | None = None  # (index, name) of the last "Operation name: "X""
        self.line_hits = 0

    # -- for the kinds -----------------------------------------------------------------------------

    def full(self) -> bool:
        """No real line holds this many errors: a flood of repeats, or garbage."""
        return self.line_hits >= MAX_HITS_PER_LINE

    def matches(self, pattern, line: str):
        """pattern.finditer(line), until the line holds the most errors one line may."""
        for m in pattern.finditer(line):
            if self.full():
                return
            yield m

    def add(self, kind, names, i, line, m_start, m_end, details=None):
        if self.full():
            return None
        self.line_hits += 1
        names = tuple(n for n in names if n)
        if any(PLACEHOLDER.search(n) for n in names):
            return None  # a message template in a traceback's source line, not a message
        self.hits.append(_Hit(kind, names, i + 1, snippet(line, m_start, m_end), dict(details or {})))
        return self.hits[-1]

    def add_text(self, kind, names, i, text, details) -> None:
        """A sighting spread over several lines, quoted as ``text``, found at line i."""
        self.hits.append(_Hit(kind, names, i + 1, text, details))

    def node_after(self, i: int, line: str, end: int) -> dict:
        """The op node of an error ending at line[end]: from the rest of the line, the next lines, or
        'Node:' before ({'node': ..., and 'variable': ... when the node is an Assign})."""
        out: dict = {}
        candidates = [line[end:end + _AFTER]]
        for j in range(i + 1, min(len(self.lines), i + 1 + _LOOKAHEAD)):
            nxt = self.lines[j][:_AFTER]
            if nxt.lstrip().startswith("[["):
                candidates.append(nxt)
            elif nxt.strip():
                break
        for text in candidates:
            if "[[" not in text:
                continue
            for pat in (_NODE_OLD, _NODE_BRACES, _NODE_PLAIN):
                m = pat.search(text)
                if m:
                    out["node"] = m.group("node")
                    op = m.groupdict().get("op")
                    if op and op.startswith("Assign"):
                        var = _FIRST_INPUT.search(text, m.end()) or _LOC_CLASS.search(text, m.end())
                        if var:
                            out["variable"] = var_name(var.group("name"))
                    return out
        before = self.lines[i - 1][:_AFTER] if i > 0 else ""
        if "Node: '" in before:
            m = _NODE_LABEL.search(before)
            if m:
                out["node"] = m.group("node")
        return out

    def restore_context(self, details: dict) -> dict:
        """Note the checkpoint of a recent 'Restoring parameters from X' on a restore error."""
        if self.checkpoint and "checkpoint" not in details and self.index - self.checkpoint[0] <= _RESTORE_WINDOW:
            details["checkpoint"] = self.checkpoint[1]
        return details

    def defined_at(self, i: int) -> str | None:
        """'File "x.py", line 12, in model_fn' after 'Originally defined at:': the first frame outside TF."""
        if "Originally defined at" not in self.lines[i]:
            return None
        frames = []
        for j in range(i + 1, min(len(self.lines), i + 16)):
            m = _DEFINED_AT.search(self.lines[j])
            if m:
                frames.append(m.group(0))
            elif self.lines[j].strip() and not self.lines[j].startswith((" ", "\t")):
                break  # the next message: the traceback excerpt is over
        for frame in frames:
            if not _TF_FRAME.search(frame):
                return frame
        return frames[0] if frames else None

    # -- the scan ----------------------------------------------------------------------------------

    def run(self) -> None:
        kinds, trigger = all_kinds(), _trigger()
        for i, line in enumerate(self.lines):
            if "Restoring parameters from " in line:
                m = _RESTORING_FROM.search(line)
                if m:
                    self.checkpoint = (i, clean(m.group("path")))
            if "Operation name: \"" in line:
                m = _OP_NAME.search(line)
                if m:
                    self.operation = (i, m.group("name"))
            first = len(self.hits)
            self.line_hits = 0
            self.index = i
            if trigger.search(line) is None:
                continue  # most lines of a log: nothing to look at
            for kind in kinds:
                if any(t in line for t in kind.triggers):
                    kind.scan(self, i, line)
            if len(self.hits) > first:
                self.fetch_wrapper(line, first)

    def fetch_wrapper(self, line: str, first: int) -> None:
        """'Fetch argument X cannot be interpreted as a Tensor. (<inner error>)': note X on the inner errors."""
        fetched = [hit for hit in self.hits[first:] if KINDS[hit.kind].fetched]
        pos = line.find(_FETCH_TAIL)
        if pos < 0:
            if _FEED_HEAD in line:
                for hit in fetched:
                    hit.details.setdefault("context", "feed_dict")
            return
        head_at, head_len = -1, 0
        for head in _FETCH_HEADS:
            at = line.rfind(head, max(0, pos - 2000), pos)
            if at > head_at:
                head_at, head_len = at, len(head)
        if head_at < 0:
            return
        fetch = line[head_at + head_len:pos].strip()
        m = TENSOR_REPR.match(fetch) or TF_REPR.match(fetch)
        fetch = m.group("name") if m else clean(fetch)
        for hit in fetched:
            hit.details.setdefault("fetch", fetch)
            hit.details.setdefault("context", "fetch")


def _identity(h: _Hit) -> tuple:
    return (h.kind,) + tuple(h.details.get(k, "") for k in KINDS[h.kind].identity)


def _name_the_nameless(hits: list) -> None:
    """A nameless sighting of an error that is named nearby (same kind, same identity details: the
    op-kernel warning before the exception, say) is the same error: it takes that name."""
    named: dict = {}  # (kind, identity) -> [(line, names)] in line order
    for h in hits:
        if h.names and KINDS[h.kind].identity:
            named.setdefault(_identity(h), []).append((h.line, h.names))
    for h in hits:
        if not h.names and KINDS[h.kind].identity:
            sightings = named.get(_identity(h), ())
            at = bisect.bisect_left(sightings, (h.line - _NEARBY,))
            if at < len(sightings) and sightings[at][0] <= h.line + _NEARBY:
                h.names = sightings[at][1]


def _drop_redundant_wrappers(hits: list) -> list:
    """A wrapper of a restore error only matters when the error it wraps is not in the log (it
    follows the wrapper, and earlier exceptions of the chain show it too)."""
    restore_lines = sorted(h.line for h in hits if KINDS[h.kind].restore)

    def wrapped_error_nearby(line: int) -> bool:
        at = bisect.bisect_left(restore_lines, line - _NEARBY)
        return at < len(restore_lines) and restore_lines[at] <= line + _NEARBY

    return [h for h in hits if not KINDS[h.kind].wraps_restore or not wrapped_error_nearby(h.line)]


def _merge(hits: list) -> list:
    """De-duplicate by (kind, names) keeping the first occurrence, filling in details from later ones."""
    _name_the_nameless(hits)
    merged: dict = {}
    for h in _drop_redundant_wrappers(hits):
        key = (h.kind, h.names)
        if not h.names and KINDS[h.kind].identity:
            key += _identity(h)
        if key in merged:
            first = merged[key]
            for k, v in h.details.items():
                first.details.setdefault(k, v)
        else:
            merged[key] = h
    out = list(merged.values())
    out.sort(key=lambda h: (h.line, h.kind, h.names))
    return out


def parse_log(text: "str | bytes") -> list[LogError]:
    """The known TensorFlow errors in a log, in order of first appearance, one per (kind, names).

    ``text`` is the log's text (bytes are decoded as UTF-8 with replacement). Never raises on any
    input; the result is deterministic.
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str):
        raise TypeError("parse_log() wants the log's text as str or bytes, not %s" % type(text).__name__)
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if line.endswith("\r"):
            line = line[:-1]
        if "\x1b" in line:
            line = _ANSI.sub("", line)
        lines[n] = line
    scan = Scan(lines)
    scan.run()
    return [LogError(h.kind, h.names, h.line, h.text, dict(sorted(h.details.items()))) for h in _merge(scan.hits)]
