"""Plain-text report: one block per finding, linter style, then the mode-diff table and a summary."""

from __future__ import annotations

import re
from collections import Counter
from typing import Optional

from graphlint import __version__
from graphlint.constants import SEVERITIES
from graphlint.report import RenderOptions, pairing
from graphlint.wording import agree, count


_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m", "bold": "\033[1m"}
_RESET = "\033[0m"


def _paint(text: str, style: str, color: bool) -> str:
    return f"{_COLORS[style]}{text}{_RESET}" if color else text


def render(report, options: Optional[RenderOptions] = None) -> str:
    """The report as text; colour only when the options ask (the CLI decides: a tty and no NO_COLOR);
    `options.show_all` lists every row of the mode-diff table instead of the rows left to read."""
    options = options or RenderOptions()
    if options.quiet or options.statistics:
        return _brief([report], summary(report), options)
    color = options.color
    info = report.info
    lines = [f"graphlint {__version__} | {info.model} | TensorFlow {info.tf_version} | "
             f"Estimator API: {info.estimator_api}" + (f" | {info.spec_conversion}" if info.spec_conversion else "")]
    if report.checkpoint is not None:
        kind = "object-based (keys mapped to variable names as Saver does)" if report.checkpoint.object_based \
            else "name-based"
        lines.append(f"checkpoint: {report.checkpoint.prefix} ({count(len(report.checkpoint.entries), 'key')}, {kind})")
    lines.append("")
    for f in report.findings:
        lines.extend(finding_lines(f, color))
        lines.append("")
    lines.extend(_table_section(report, options))
    if report.checkpoint is not None:
        lines.extend(_checkpoint_sections(report))
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def _table_section(report, options) -> list:
    """The mode-diff table is context: for the findings, or for a row of class 'other' (every other
    class is expected in some modes only), so a clean model's report is its summary. By default it
    lists only the rows of class 'other' that no finding above reports, and says how many rows it
    hides; --show-all lists every row whatever the report holds, --no-table (`table = false`) none."""
    rows = report.mode_diff
    if not rows or not options.table:
        return []
    if options.show_all:
        return ["Names in some modes only (information; classes other than 'other' are expected):",
                _diff_table(rows), ""]
    others = [r for r in rows if r.cls == "other"]
    if not report.findings and not others:
        return []
    left = [r for r in others if not _reported(r, report.findings)]
    shown, past_screen = _screenful(left)
    hidden = _hidden(len(rows) - len(others), len(others) - len(left), past_screen)
    if not shown:
        return [f"Names in some modes only: {count(len(rows), 'row')}, none listed ({hidden}): --show-all lists them", ""]
    n = len(rows) - len(left) + past_screen
    table = _diff_table(shown) + (f"\n... {n} more {agree(n, 'row', 'rows')} ({hidden}): --show-all lists them" if n else "")
    return ["Names in some modes only that no finding above reports (class 'other'; information):", table, ""]


def _reported(row, findings) -> bool:
    """A finding names the row's scope, or a name under it, in every mode of the row (GL104
    reports the row itself; GL101 a variable under it)."""
    return any(set(row.modes) <= set(f.modes) and
               any(n.split("/", 1)[0].split(":", 1)[0] == row.scope for n in f.all_names + f.covers)
               for f in findings)


def _hidden(expected: int, reported: int, past_screen: int) -> str:
    """Why rows are not listed: '34 of expected classes, 6 of class 'other' that ...'."""
    why = [f"{expected} of expected classes" if expected else "",
           f"{reported} of class 'other' that a finding above reports" if reported else "",
           f"{past_screen} of class 'other' past a screenful" if past_screen else ""]
    return ", ".join(w for w in why if w)


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
    return out + rename_lines(report)


def rename_lines(report) -> list:
    """The rename pairing as code to paste (also printed by `graphlint explain --checkpoint`, whose
    findings' fixes point to it)."""
    if not report.renames:
        return []
    return ["Rename pairing (one scope substitution for the keys, same shapes and dtypes), ready to paste:",
            pairing.code(report.renames, report.checkpoint.prefix)]


def finding_lines(f, color: bool = False) -> list:
    """One finding as the lines of its block (also used by `graphlint explain`)."""
    where = _paint(f"{f.location}: ", "bold", color) if f.location else ""
    modes = f" [{','.join(f.modes)}]" if f.modes else ""
    head = _paint(f"{f.code} [{f.severity}]", f.severity, color)
    names = f.all_names
    # A grouped finding's message spells out the first few names; JSON and SARIF list them all.
    more = f" (and {len(names) - 1} more)" if len(names) > 1 else ""
    out = [f"{where}{head}{modes} {f.symbol}: {f.name}{more}", f"  {f.message}"]
    for rel in f.related:
        out.append(f"  {rel.site}: {rel.message}")
    if f.fix:
        out.append(f"  fix: {f.fix}")
    return out


MAX_DIFF_ROWS = 30  # the default table fits on a screen; show_all lists everything
_AUTO_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*(_\d+)?$")  # TF's default op names (Mul_7); 'class_0' is a scope


def _diff_table(rows) -> str:
    """The rows as a table, with the legend of the expected classes among them."""
    from tabulate import tabulate

    from graphlint.analysis.classify import EXPECTED

    table = [(r.scope or "(root)", r.cls, ",".join(r.modes), r.ops, r.variables, ", ".join(r.examples)) for r in rows]
    body = tabulate(table, headers=("scope", "class", "only in", "ops", "variables", "e.g."), tablefmt="simple")
    used = sorted({r.cls for r in rows} & set(EXPECTED))
    legend = [f"  {cls}: {EXPECTED[cls]}" for cls in used]
    return "\n".join([body] + (["classes:"] + legend if legend else []))


def _screenful(rows) -> tuple:
    """(rows to show, how many rows are left out): root-level auto-named ops (Mul_7, AssignVariableOp_3)
    become one '(root)' row per class and modes; if that is still too long, the smallest rows are
    left out, those of expected classes first ('other' rows are what a reader must see)."""
    from dataclasses import replace

    merged, sources = {}, {}
    for r in rows:
        scope = "" if _AUTO_NAME.match(r.scope) else r.scope
        key = (scope, r.cls, r.modes)
        prev = merged.get(key)
        merged[key] = replace(r, scope=scope) if prev is None else replace(
            prev, ops=prev.ops + r.ops, variables=prev.variables + r.variables)
        sources[key] = sources.get(key, 0) + 1
    keys = sorted(merged)
    if len(keys) <= MAX_DIFF_ROWS:
        return [merged[k] for k in keys], 0
    keep = set(sorted(keys, key=lambda k: (merged[k].cls != "other", -(merged[k].ops + merged[k].variables)))
               [:MAX_DIFF_ROWS])
    return [merged[k] for k in keys if k in keep], sum(sources[k] for k in keys if k not in keep)


def _severity_counts(findings) -> str:
    counts = Counter(f.severity for f in findings)
    return ", ".join(count(counts[s], s, "info" if s == "info" else "") for s in SEVERITIES)


def summary(report) -> str:
    counts = Counter(f.severity for f in report.findings)
    built = [m for m, s in report.snapshots.items() if s.built]
    verdict = "will break" if counts["error"] else "nothing that will break"
    return (f"{verdict}: {_severity_counts(report.findings)} (modes built: {', '.join(built) or 'none'}; "
            f"TensorFlow {report.info.tf_version})")


def render_many(outcomes, options: Optional[RenderOptions] = None) -> str:
    """The reports one after another, then a total line; models that could not be checked are on
    stderr (the run layer prints them), so stdout stays the reports'."""
    options = options or RenderOptions()
    if options.quiet or options.statistics:
        return _brief([o.report for o in outcomes if o.report is not None], total(outcomes), options)
    parts = [render(o.report, options) for o in outcomes if o.report is not None]
    return "\n".join(parts) + ("\n" if parts else "") + total(outcomes) + "\n"


def total(outcomes) -> str:
    findings = [f for o in outcomes if o.report for f in o.report.findings]
    breaking = sum(1 for o in outcomes if o.report and any(f.severity == "error" for f in o.report.findings))
    failed = sum(1 for o in outcomes if o.report is None)
    line = f"{count(len(outcomes), 'model')}: {breaking} will break, {_severity_counts(findings)}"
    return line + (f"; {failed} could not be checked (errors on stderr)" if failed else "")


def _brief(reports, last_line: str, options: RenderOptions) -> str:
    """--quiet: the summary line only; --statistics: the findings per rule, then it."""
    lines = [] if options.quiet else statistics(reports)
    return "\n".join(lines + [last_line]) + "\n"


def statistics(reports) -> list:
    """One line per rule, as `ruff check --statistics` prints: count, code, symbol; most first."""
    per_rule = Counter((f.code, f.symbol) for r in reports for f in r.findings)
    rows = sorted(per_rule.items(), key=lambda item: (-item[1], item[0]))
    width = len(str(rows[0][1])) if rows else 0
    return [f"{n:>{width}}  {code}  {symbol}" for (code, symbol), n in rows]


def render_fatal(message: str, model: str) -> str:
    return ""  # the run layer's one stderr line says it all
