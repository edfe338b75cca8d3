"""Text for a person: each error found in the log, the findings of the model that explain its names
(with --model), and what each kind of error means, why it happens and what to do."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from graphlint.explain.kinds import KINDS, all_kinds

# Labels of the details that the parser adds to errors of any kind; the kinds label their own.
COMMON_LABELS = {
    "node": "node",
    "variable": "variable",
    "checkpoint": "checkpoint",
    "fetch": "fetched as",
    "context": "used as",
    "op": "op type",
}
_CONTEXTS = {"fetch": "a fetch (Session.run / SessionRunArgs of a hook)", "feed_dict": "a feed_dict key"}
RULE = "-" * 72  # between the diagnosis and the explanations


def label(kind: str, key: str) -> str:
    info = KINDS.get(kind)
    own = info.labels.get(key) if info else None
    return own or COMMON_LABELS.get(key, key.replace("_", " "))


def explain_text(errors: Iterable) -> str:
    """Each error found, then what it means, why, and what to do (once per kind)."""
    errors = list(errors)
    if not errors:
        return "no known TensorFlow error found"
    all_kinds()
    n = len(errors)
    out = ["Found %d known TensorFlow error%s." % (n, "" if n == 1 else "s")]
    explained: dict = {}
    for number, err in enumerate(errors, 1):
        info = KINDS.get(err.kind)
        out.extend(_sighting(number, err, info.title if info else err.kind))
        if info is None:
            continue
        if err.kind in explained:
            out.append("    (explained under [%d])" % explained[err.kind])
            continue
        explained[err.kind] = number
        for heading, body in (("What it means", info.meaning), ("Usual causes", info.causes),
                              ("What to do", info.fix)):
            out.append("")
            out.extend(_wrap("    %s: %s" % (heading, body), indent="      "))
    return "\n".join(out)


def _sighting(number: int, err, title: str) -> list:
    out = ["", "[%d] line %d: %s (%s)" % (number, err.line, title, err.kind)]
    if err.names:
        out.append("    name%s: %s" % ("" if len(err.names) == 1 else "s", ", ".join(err.names)))
    for key, value in err.details.items():
        if key == "context":
            value = _CONTEXTS.get(value, value)
        if key in ("fetch", "variable") and value in err.names:
            continue  # already said on the name line
        out.append("    %s: %s" % (label(err.kind, key), value))
    out.append("    log: %s" % err.text)
    return out


def _wrap(text: str, indent: str, width: int = 100) -> list:
    return textwrap.wrap(text, width=width, subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False)


def _matches(finding, name: str) -> bool:
    """Does this finding speak about this name (a key, a tensor, an op, or a scope holding it)?"""
    op = name.split(":")[0]
    fname = finding.name.split(":")[0]
    if fname == op or (fname.endswith("/") and op.startswith(fname)):
        return True
    return f"'{name}'" in finding.message or f"'{op}'" in finding.message


def diagnose(errors, report) -> list:
    """[(LogError, [Finding])]: for each error in the log, the findings that explain its names."""
    out = []
    for err in errors:
        hits = [f for f in report.findings for name in err.names if _matches(f, name)]
        out.append((err, list(dict.fromkeys(hits))))
    return out


# What graphlint's hook simulation does (graphlint/model/hook_schedule.py), said in its own numbers.
def _hook_calls() -> str:
    from graphlint.model.hook_schedule import MAX_STEPS, PATIENCE

    return (f"called each hook's begin(), then before_run() and after_run() step by step over its schedule "
            f"(until {PATIENCE} steps bring no new name, at most {MAX_STEPS})")


def _not_reproduced(err, report) -> str:
    """What was checked without finding the error, and what can still explain it (never one guess)."""
    built = [m for m, s in report.snapshots.items() if s.built] or ["no mode"]
    checked = [f"built {', '.join(built)}"]
    info = KINDS.get(err.kind)
    reasons = []
    if info is not None and info.data_dependent:
        reasons.append("the error comes from the shapes of the data the op met when it ran, and graphlint "
                       "builds the graphs without running them")
    if info is not None and info.fetched:
        checked.append(_hook_calls())
        reasons.append("the name is fetched only on a condition graphlint's steps do not meet (the data, "
                       "a later step than it simulates, a live session's values)")
    if info is not None and info.restore:
        if report.checkpoint is None:
            reasons.append("the error depends on the checkpoint the run restored: pass it with --checkpoint")
        else:
            checked.append(f"compared every mode's restore keys with {report.checkpoint.prefix}")
            reasons.append("the run restored another checkpoint than this one")
    reasons.append("the run used other code, params or flags than this build")
    return (f"graphlint {'; '.join(checked)}, and no finding names it. Possible reasons: "
            + "; ".join(reasons) + ".")


def _renamed(findings, report) -> bool:
    """Does a finding shown speak about a key of the rename pairing (its fix then points to the
    assignment_map, which must follow)?"""
    keys = {k for p in report.renames for k in (p.a, p.b)}
    return any(name in keys for f in findings for name in f.all_names)


def _diagnosis(errors, report) -> list:
    # only with --model: the text report's blocks
    from graphlint.report.text import finding_lines, rename_lines

    lines = [f"Diagnosis from building {report.info.model} (TensorFlow {report.info.tf_version}):"]
    diagnosed = diagnose(errors, report)
    for err, hits in diagnosed:
        names = ", ".join(err.names) or err.kind
        lines.append("")
        if hits:
            lines.append(f"log line {err.line}: {names}")
            for f in hits:
                lines.extend("  " + ln for ln in finding_lines(f))
        else:
            lines.append(f"log line {err.line}: {names}: not reproduced")
            lines.extend(_wrap("  " + _not_reproduced(err, report), indent="  "))
    if _renamed([f for _, hits in diagnosed for f in hits], report):
        lines += [""] + [line.rstrip("\n") for line in rename_lines(report)]
    return lines + ["", RULE, ""]


def render(errors, report=None) -> str:
    """The output of `graphlint explain`: with a report (--model), the diagnosis comes first."""
    lines = _diagnosis(errors, report) if report is not None and errors else []
    lines.append(explain_text(errors))
    return "\n".join(lines) + "\n"
