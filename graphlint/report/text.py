"""Plain-text report: one block per finding, linter style, then the mode-diff table and a summary."""

from __future__ import annotations

from collections import Counter

from graphlint import __version__
from graphlint.report import pairing


_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m", "bold": "\033[1m"}
_RESET = "\033[0m"


def _paint(text: str, style: str, color: bool) -> str:
    return f"{_COLORS[style]}{text}{_RESET}" if color else text


def render(report, color: bool = False) -> str:
    """The report as text; `color` only for a terminal (the CLI decides: a tty and no NO_COLOR)."""
    info = report.info
    lines = [f"graphlint {__version__} | {info.model} | TensorFlow {info.tf_version} | "
             f"Estimator API: {info.estimator_api}" + (f" | {info.spec_conversion}" if info.spec_conversion else "")]
    if report.checkpoint is not None:
        kind = "object-based (keys mapped to variable names as Saver does)" if report.checkpoint.object_based \
            else "name-based"
        lines.append(f"checkpoint: {report.checkpoint.prefix} ({len(report.checkpoint.entries)} keys, {kind})")
    lines.append("")
    for f in report.findings:
        lines.extend(_finding(f, color))
        lines.append("")
    if report.mode_diff:
        lines.append("Names in some modes only (information; classes other than 'other' are expected):")
        lines.append(_diff_table(report.mode_diff))
        lines.append("")
    if report.checkpoint is not None:
        lines.extend(_checkpoint_sections(report))
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _checkpoint_sections(report) -> list:
    out = []
    unused = pairing.unused_by_class(report)
    if unused:
        # Imported here, not at the top: `graphlint explain` imports this module for _finding, and
        # importing tabulate (it reads its version with importlib.metadata) would slow it down.
        from tabulate import tabulate

        out.append("Checkpoint keys no mode restores (only 'other' is worth reading):")
        out.append(tabulate(unused, headers=("class", "keys", "e.g."), tablefmt="simple"))
        out.append("")
    if report.renames:
        out.append("Rename pairing (same shape and dtype, by name similarity), ready to paste:")
        out.append(pairing.code(report.renames, report.checkpoint.prefix))
    return out


def _finding(f, color: bool = False) -> list:
    where = _paint(f"{f.location}: ", "bold", color) if f.location else ""
    modes = f" [{','.join(f.modes)}]" if f.modes else ""
    head = _paint(f"{f.code} [{f.severity}]", f.severity, color)
    out = [f"{where}{head}{modes} {f.symbol}: {f.name}", f"  {f.message}"]
    for rel in f.related:
        out.append(f"  {rel.site}: {rel.message}")
    if f.fix:
        out.append(f"  fix: {f.fix}")
    return out


def _diff_table(rows) -> str:
    from tabulate import tabulate

    from graphlint.analysis.classify import EXPECTED

    table = [(r.scope, r.cls, ",".join(r.modes), r.ops, r.variables, ", ".join(r.examples)) for r in rows]
    body = tabulate(table, headers=("scope", "class", "only in", "ops", "variables", "e.g."), tablefmt="simple")
    used = sorted({r.cls for r in rows} & set(EXPECTED))
    legend = [f"  {cls}: {EXPECTED[cls]}" for cls in used]
    return "\n".join([body] + (["classes:"] + legend if legend else []))


def summary(report) -> str:
    counts = Counter(f.severity for f in report.findings)
    built = [m for m, s in report.snapshots.items() if s.built]
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}" for s in ("error", "warning", "info")]
    verdict = "will break" if counts["error"] else "nothing that will break"
    return (f"{verdict}: {', '.join(parts)} (modes built: {', '.join(built) or 'none'}; "
            f"TensorFlow {report.info.tf_version})")
