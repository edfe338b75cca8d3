"""Inline suppressions: `# graphlint: ignore[GL101]` on the statement that creates a name. A comment
that suppresses nothing is a GL001 finding: this module matches comments and findings, and
hands the comments, each with the codes it used, to that rule (rules/unused_suppression.py)."""

from __future__ import annotations

import linecache
import os
import re
import tokenize
from dataclasses import dataclass, field

from graphlint.model.sites import display_path
from graphlint.rules import RULES
from graphlint.rules.unused_suppression import UnusedSuppression


# `# graphlint: ignore` or `# graphlint: ignore[GL101, GL2]`, anywhere in a comment.
_DIRECTIVE = re.compile(r"#\s*graphlint:\s*ignore(?:\[(?P<codes>[^\]]*)\]|(?![\w\[-]))")
_CODE_TOKENS = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                tokenize.ENCODING, tokenize.ENDMARKER)


@dataclass
class Suppression:
    file: str  # as displayed
    line: int  # the comment's line
    lines: frozenset  # lines it covers: every line of the statement the comment ends
    codes: tuple  # empty: every code
    text: str
    used: set = field(default_factory=set)  # codes (or "*") that suppressed something

    def matches(self, code: str) -> list:
        return ["*"] if not self.codes else [c for c in self.codes if code.startswith(c)]


def _suppression(file, line, lines, match) -> Suppression:
    raw = match.group("codes")
    codes = tuple(c.strip() for c in (raw or "").split(",") if c.strip())
    return Suppression(file, line, frozenset(lines), codes, match.group(0))


def scan_suppressions(path: str) -> list:
    """The suppression comments of one file: real comments only (tokenize), never strings.

    A comment covers every line of the statement it is on, so a comment after the closing
    parenthesis of a multi-line call covers the call's first line, where Python reports it.
    """
    linecache.checkcache(path)  # the file may have changed since the model was imported
    lines = iter(linecache.getlines(path))
    found, pending, start = [], [], None
    try:
        for tok in tokenize.generate_tokens(lambda: next(lines, "")):
            if tok.type == tokenize.COMMENT and (m := _DIRECTIVE.search(tok.string)):
                if start is None:  # a comment on a line of its own covers only that line
                    found.append(_suppression(path, tok.start[0], [tok.start[0]], m))
                else:
                    pending.append((tok.start[0], m))
            elif tok.type == tokenize.NEWLINE and start is not None:
                found += [_suppression(path, ln, range(start, tok.start[0] + 1), m) for ln, m in pending]
                pending, start = [], None
            elif tok.type not in _CODE_TOKENS and start is None:
                start = tok.start[0]
    except (tokenize.TokenError, SyntaxError):
        pass  # a file that does not tokenize keeps the comments read so far
    return found


def _real(path: str) -> str:
    return os.path.realpath(os.path.abspath(path))


def apply_suppressions(findings, files=()) -> list:
    """Findings minus those suppressed by a comment on their location's statement, plus the GL001
    findings for the comments (in `files` or in the findings' files) that suppressed nothing."""
    paths = {}
    for path in [f.location.file for f in findings if f.location] + [display_path(p) for p in files]:
        paths.setdefault(_real(path), path)
    by_line = {}
    for real, shown in sorted(paths.items()):
        for sup in scan_suppressions(shown):
            for ln in sup.lines:
                by_line.setdefault((real, ln), []).append(sup)
    kept = []
    for f in findings:
        hits = by_line.get((_real(f.location.file), f.location.line), []) if f.location else []
        used = [(s, m) for s in hits for m in [s.matches(f.code)] if m]
        for sup, codes in used:
            sup.used.update(codes)
        if not used:
            kept.append(f)
    sups = {id(s): s for group in by_line.values() for s in group}.values()
    return kept + RULES[UnusedSuppression.code].check_suppressions(sups)


