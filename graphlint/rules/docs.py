"""Rule documentation from the registry: docs/rules.md, the README's rules table, `graphlint rules`
and `graphlint rules CODE`.

The docstrings are the single source; docs/rules.md and the README table are generated from them
and a test keeps both current. Nothing here imports TensorFlow, so `graphlint rules` is instant.
"""

from __future__ import annotations

from graphlint.errors import UsageError
from graphlint.rules import all_rules

SECTIONS = ("What it does", "Why is this bad", "Example", "Fix")
REGENERATE = "GRAPHLINT_UPDATE_DOCS=1 python -m pytest tests/test_rules_docs.py"


def _title(rule) -> str:
    return rule.doc().splitlines()[0].strip() if rule.doc() else rule.summary


def _anchor(rule) -> str:
    # GitHub's heading anchors: lower case, spaces to dashes, punctuation dropped.
    return f"{rule.code.lower()}-{rule.symbol}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


# The README's rules table sits between these lines; everything between them is generated.
README_BEGIN = f"<!-- rules table: generated from the registry by graphlint.rules.docs; do not edit. Regenerate: {REGENERATE} -->"
README_END = "<!-- end of rules table -->"


def render_readme_table() -> str:
    lines = ["| code | symbol | severity | what |", "|---|---|---|---|"]
    lines += [f"| {r.code} | {r.symbol} | {r.severity} | {_cell(r.summary)} |" for r in all_rules()]
    return "\n".join(lines) + "\n\n"  # a blank line ends the table before README_END


def update_readme(text: str) -> str:
    """The README `text` with a fresh rules table between README_BEGIN and README_END."""
    head, begin, rest = text.partition(README_BEGIN + "\n")
    _, end, tail = rest.partition(README_END)
    if not begin or not end:
        raise ValueError(f"README has no rules table between {README_BEGIN!r} and {README_END!r}")
    return head + begin + render_readme_table() + end + tail


def render_table() -> str:
    rows = [(r.code, r.symbol, r.severity, r.summary) for r in all_rules()]
    return _simple_table(rows, ("code", "symbol", "severity", "summary")) + "\n"


def _simple_table(rows, headers) -> str:
    from tabulate import tabulate  # here, not at import: `rules CODE` and the docs need no table

    return tabulate(rows, headers=headers, tablefmt="simple")


def _find(code_or_symbol: str):
    key = code_or_symbol.strip()
    for rule in all_rules():
        if key.upper() == rule.code or key == rule.symbol:
            return rule
    raise UsageError(f"unknown rule {code_or_symbol!r} (`graphlint rules` lists them)")


def render_rule(code: str) -> str:
    """One rule in full, for the terminal: header, then its docstring sections."""
    rule = _find(code)
    parts = [f"{rule.code} {rule.symbol} ({rule.severity})", "", _title(rule)]
    for name, body in rule.sections().items():
        parts += ["", f"## {name}", body]
    return "\n".join(parts) + "\n"


def _section_md(rule) -> list:
    out = [f"## {rule.code} {rule.symbol}", "",
           f"{_title(rule)} Default severity: **{rule.severity}**.", ""]
    for name, body in rule.sections().items():
        out += [f"### {name}", "", body, ""]
    return out


def render_markdown() -> str:
    """docs/rules.md: a table of every rule, then one section per rule. Written by hand rather than
    by tabulate so the bytes do not change with tabulate's version."""
    rules = all_rules()
    lines = ["# Rules", "",
             f"<!-- Generated from the rule docstrings by graphlint.rules.docs; do not edit. "
             f"Regenerate: {REGENERATE} -->", "",
             "Select or ignore rules by code or prefix (`GL1`), silence one line with "
             "`# graphlint: ignore[GL101]`.", "",
             "| Code | Symbol | Severity | Summary |", "|---|---|---|---|"]
    lines += [f"| [{r.code}](#{_anchor(r)}) | `{r.symbol}` | {r.severity} | {_cell(r.summary)} |" for r in rules]
    lines.append("")
    for rule in rules:
        lines += _section_md(rule)
    return "\n".join(lines).rstrip("\n") + "\n"
