"""Which findings a run reports: rule selection, name ignores, inline suppressions, a baseline,
and the exit code. Everything here works on Finding records only (no TensorFlow).

Selection follows ruff: `select` (default: every rule) is replaced, not merged, by a new
`select`; `extend-select` adds; `ignore` removes. Each selector is a code (GL101), a prefix (GL1,
GL) or ALL, and for each rule the most specific matching selector decides: `select = ["GL101"]`
with `ignore = ["GL1"]` keeps GL101. On a tie between select and ignore, ignore wins.
"""

from __future__ import annotations

import fnmatch

from graphlint.constants import SEVERITY_RANK
from graphlint.errors import UsageError
from graphlint.run import baseline as baseline_lib
from graphlint.run.suppressions import apply_suppressions


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


# --- all of it, and the exit code --------------------------------------------------------------

def apply_config(findings, config, files=(), model="", alternatives=None) -> list:
    """What a run reports: selection, with supersession as the selected rules give it
    (`alternatives`: the Report's, run/supersede.py), suppressions (their GL001 findings selected
    too), name ignores, then the baseline when the config has one. Sorted like the engine's findings.

    Only selection decides supersession. A cause that is selected but suppressed (`# graphlint: ignore[...]`,
    a name ignore, the baseline) still stands for its symptoms: it was found and acknowledged, and
    its symptoms are the same cause (ruff likewise suppresses a diagnostic after it was made, and
    a disabled rule is one that never ran). So the symptoms do not come back asking for a second
    suppression of the same thing."""
    def chosen(code):
        return is_selected(code, config.select, config.ignore, config.extend_select)

    def select(fs):
        return select_findings(fs, config.select, config.ignore, config.extend_select)

    if alternatives is not None:
        findings = alternatives.resolve(findings, chosen)
    out = select(apply_suppressions(select(findings), files))
    out = apply_name_ignores(out, config.ignore_names)
    if config.baseline:
        out = baseline_lib.filter_baseline(out, config.baseline, model)
    return sorted(out, key=lambda f: f.sort_key())


def exit_code(findings, fail_on: str = "error", exit_zero: bool = False) -> int:
    """1 when a finding is at or above fail_on (error > warning > info), else 0."""
    if fail_on not in SEVERITY_RANK:
        raise UsageError(f"fail-on: {fail_on!r} is not one of {', '.join(SEVERITY_RANK)}")
    if exit_zero:
        return 0
    return int(any(SEVERITY_RANK[f.severity] <= SEVERITY_RANK[fail_on] for f in findings))
