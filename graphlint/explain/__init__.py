"""graphlint explain: read a failed run's log, name the errors, and, given the model, diagnose them.

Without --model this never imports TensorFlow: the log parser is plain Python.
"""

from __future__ import annotations

import sys

from graphlint.errors import UsageError


def read_log(path: str) -> str:
    if path == "-":
        return sys.stdin.buffer.read().decode("utf-8", "replace")
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8", "replace")
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a log file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None


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


def render(errors, report=None) -> str:
    from graphlint.explain.logparse import explain_text
    from graphlint.report.text import finding_lines as _finding

    lines = []
    if report is not None and errors:
        lines.append(f"Diagnosis from building {report.info.model} (TensorFlow {report.info.tf_version}):")
        for err, hits in diagnose(errors, report):
            names = ", ".join(err.names) or err.kind
            lines.append("")
            if hits:
                lines.append(f"log line {err.line}: {names}")
                for f in hits:
                    lines.extend("  " + ln for ln in _finding(f))
            else:
                lines.append(f"log line {err.line}: {names}: the model as it is now does not reproduce this "
                             "(was the code or the checkpoint changed since the run?)")
        lines.extend(["", "-" * 72, ""])
    lines.append(explain_text(errors))
    return "\n".join(lines) + "\n"
