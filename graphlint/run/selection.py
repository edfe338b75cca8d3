"""Which findings a run reports: rule selection, name ignores, inline suppressions, a baseline,
and the exit code. Everything here works on Finding records only (no TensorFlow).

Selection follows ruff: `select` (default: every rule) is replaced, not merged, by a new
`select`; `extend-select` adds; `ignore` removes. Each selector is a code (GL101), a prefix (GL1,
GL) or ALL, and for each rule the most specific matching selector decides: `select = ["GL101"]`
with `ignore = ["GL1"]` keeps GL101. On a tie between select and ignore, ignore wins.
"""

from __future__ import annotations

import fnmatch
import json
import linecache
import os
import re
import tokenize
from dataclasses import dataclass, field

from graphlint.errors import UsageError
from graphlint.findings import SEVERITY_RANK
from graphlint.rules import RULES
from graphlint.rules import meta  # noqa: F401  (registers GL001, which this module reports)
from graphlint.model.sites import display_path
from graphlint.model.snapshot import Site

BASELINE_VERSION = 1


# --- select / ignore ---------------------------------------------------------------------------

def _specificity(code: str, selectors) -> int:
    """Length of the longest selector matching code (ALL counts as the empty prefix), -1 if none."""
    best = -1
    for sel in selectors:
        prefix = "" if sel == "ALL" else sel
        if code.startswith(prefix):
            best = max(best, len(prefix))
    return best


def is_selected(code: str, select=None, ignore=(), extend_select=()) -> bool:
    chosen = _specificity(code, list(["ALL"] if select is None else select) + list(extend_select or ()))
    return chosen >= 0 and chosen > _specificity(code, ignore or ())


def select_findings(findings, select=None, ignore=(), extend_select=()) -> list:
    chosen = {code: is_selected(code, select, ignore, extend_select) for code in {f.code for f in findings}}
    return [f for f in findings if chosen[f.code]]


def apply_name_ignores(findings, ignore_names) -> list:
    """Drop findings whose name matches a glob listed under their code or a prefix of it.

    Globs are fnmatch patterns matched case-sensitively against the whole name (TensorFlow names
    are case-sensitive); `*` also matches `/`, so `debug/*` covers a whole scope.
    """
    def ignored(f):
        return any(_specificity(f.code, [sel]) >= 0 and any(fnmatch.fnmatchcase(f.name, g) for g in globs)
                   for sel, globs in (ignore_names or {}).items())

    return [f for f in findings if not ignored(f)]


# --- inline suppressions -----------------------------------------------------------------------

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

    def unused(self) -> bool:
        return bool(set(self.codes) - self.used) if self.codes else not self.used

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


def _unused_finding(sup: Suppression):
    rule = RULES["GL001"]
    unused = [c for c in sup.codes if c not in sup.used]
    what = f"ignore[{','.join(unused)}]" if sup.codes else "ignore"
    if sup.codes and len(unused) < len(sup.codes):
        message, fix = f"{', '.join(unused)} in `{sup.text}` suppressed no finding", f"remove {', '.join(unused)}"
    else:
        message, fix = f"`{sup.text}` suppressed no finding", "remove the comment"
    site = Site(sup.file, sup.line, "", linecache.getline(sup.file, sup.line).strip())
    return rule.finding((), what, message, fix=fix, location=site)


def apply_suppressions(findings, files=()) -> list:
    """Findings minus those suppressed by a comment on their location's statement, plus a GL001
    finding for each comment (in `files` or in the findings' files) that suppressed nothing."""
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
    unused = [_unused_finding(s) for s in sups if s.unused()]
    return kept + sorted(unused, key=lambda f: f.sort_key())


# --- baseline ----------------------------------------------------------------------------------

def _model_key(model: str, baseline_path: str) -> str:
    """A model file relative to the baseline's folder, so the key does not depend on the cwd."""
    if model.endswith(".py") or "/" in model or os.sep in model:
        base = os.path.dirname(os.path.abspath(baseline_path))
        return os.path.relpath(os.path.abspath(model), base).replace(os.sep, "/")
    return model


def _keys(finding, model_key: str) -> list:
    # Keyed per mode, never by line: a finding that moves is still known; one that spreads to a
    # new mode is new.
    return [(model_key, mode, finding.code, finding.name) for mode in (finding.modes or ("",))]


def _read_baseline(path: str) -> set:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise UsageError(f"baseline {path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"baseline {path}: invalid JSON ({exc.msg} at line {exc.lineno})") from None
    entries = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or doc.get("version") != BASELINE_VERSION or not isinstance(entries, list):
        raise UsageError(f"baseline {path}: not a graphlint baseline (version {BASELINE_VERSION})")
    try:
        return {(e["model"], e["mode"], e["code"], e["name"]) for e in entries}
    except (TypeError, KeyError) as exc:
        raise UsageError(f"baseline {path}: bad entry (missing {exc})") from None


def write_baseline(path: str, findings, model: str) -> None:
    """Record the model's findings; other models' entries already in the file are kept."""
    key = _model_key(model, path)
    entries = {e for e in _read_baseline(path) if e[0] != key} if os.path.exists(path) else set()
    entries |= {k for f in findings for k in _keys(f, key)}
    doc = {"version": BASELINE_VERSION,
           "findings": [dict(zip(("model", "mode", "code", "name"), e))
                        for e in sorted(entries, key=lambda e: (e[0], e[2], e[3], e[1]))]}  # by rule, then name
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise UsageError(f"baseline {path}: cannot write: {exc.strerror}") from None


def filter_baseline(findings, path: str, model: str) -> list:
    """Findings that are new: a finding survives when any one of its modes is not in the baseline."""
    known, key = _read_baseline(path), _model_key(model, path)
    return [f for f in findings if any(k not in known for k in _keys(f, key))]


# --- all of it, and the exit code --------------------------------------------------------------

def apply_config(findings, config, files=(), model="") -> list:
    """What a run reports: selection, suppressions (their GL001 findings selected too), name
    ignores, then the baseline when the config has one. Sorted like the engine's findings."""
    def select(fs):
        return select_findings(fs, config.select, config.ignore, config.extend_select)

    out = select(apply_suppressions(select(findings), files))
    out = apply_name_ignores(out, config.ignore_names)
    if config.baseline:
        out = filter_baseline(out, config.baseline, model)
    return sorted(out, key=lambda f: f.sort_key())


def exit_code(findings, fail_on: str = "error", exit_zero: bool = False) -> int:
    """1 when a finding is at or above fail_on (error > warning > info), else 0."""
    if fail_on not in SEVERITY_RANK:
        raise UsageError(f"fail-on: {fail_on!r} is not one of {', '.join(SEVERITY_RANK)}")
    if exit_zero:
        return 0
    return int(any(SEVERITY_RANK[f.severity] <= SEVERITY_RANK[fail_on] for f in findings))
